package service

import (
	"context"
	"fmt"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// DemoSecret is the default secret of the demo enterprises.
const DemoSecret = "opencube-demo-secret"

// DemoStripeWebhookSecret is the Stripe webhook endpoint secret of --demo
// when --stripe-webhook-secret is not given: the secret `opencube call`
// signs Stripe events with by default.
const DemoStripeWebhookSecret = "whsec_opencube_demo"

// Demo is the dataset that makes the documentation's example requests work
// verbatim: two enterprises, ten SIMs each, and the plans of the examples.
type Demo struct {
	Enterprises []*opencube.Enterprise
	SIMs        []*opencube.SIM
	Plans       []*opencube.Plan
	// Grants maps an access code to the plan codes it may order.
	Grants map[string][]string
}

// NewDemo returns the demo dataset with every enterprise holding secret.
func NewDemo(secret string) *Demo {
	d := &Demo{
		Enterprises: []*opencube.Enterprise{
			{AccessCode: "P000270", Name: "Demo Enterprise", Secrets: []string{secret}},
			{AccessCode: "QY-000001", Name: "Demo OTA Enterprise", Secrets: []string{secret}},
		},
		Plans: []*opencube.Plan{
			{Code: "DP20190726001274", Name: "C_M_0_P_中国20M不限速月套餐", Type: opencube.PlanMonthly, VolumeBytes: 20 * opencube.MB, PriceMinor: 1000, Currency: "CNY", Countries: []string{"CN"}},
			{Code: "DP20190726000001", Name: "C_D_1_P_中国1G日套餐", Type: opencube.PlanDaily, VolumeBytes: 1024 * opencube.MB, PriceMinor: 500, Currency: "CNY", Countries: []string{"CN"}},
			{Code: "DP20190726000002", Name: "C_U_0_P_中国不限量日套餐", Type: opencube.PlanUnlimitedDaily, VolumeBytes: 2048 * opencube.MB, PriceMinor: 800, Currency: "CNY", ThrottleKbps: 128, Countries: []string{"CN"}},
			{Code: "DP20201218003915", Name: "T_T_T_0_P_S_中国100G/365天套餐", Type: opencube.PlanDaily, VolumeBytes: 100 * 1024 * opencube.MB, PriceMinor: 19900, Currency: "CNY", OTA: true, Countries: []string{"CN"}},
		},
		Grants: map[string][]string{
			"P000270":   {"DP20190726001274", "DP20190726000001", "DP20190726000002"},
			"QY-000001": {"DP20201218003915"},
		},
	}
	add := func(enterprise, prefix string, first int, ota bool) {
		for i := 0; i < 10; i++ {
			iccid := fmt.Sprintf("%s%03d", prefix, first+i)
			d.SIMs = append(d.SIMs, &opencube.SIM{
				ICCID: iccid, IMSI: "45400" + iccid[len(iccid)-10:], MSISDN: "852" + iccid[len(iccid)-8:],
				OTA: ota, EnterpriseCode: enterprise, Status: opencube.SIMActive,
			})
		}
	}
	add("P000270", "89852022018041800", 192, false)
	add("QY-000001", "89852022018041800", 300, true)
	return d
}

// Load writes the dataset through an AdminService. It reports false, and
// writes nothing, when the first demo enterprise already exists.
func (d *Demo) Load(ctx context.Context, s opencube.AdminService) (bool, error) {
	if _, err := s.FindEnterprise(ctx, d.Enterprises[0].AccessCode); err == nil {
		return false, nil
	} else if opencube.ErrorKind(err) != opencube.KindUnauthenticated {
		return false, err
	}
	for _, e := range d.Enterprises {
		if err := s.CreateEnterprise(ctx, e); err != nil {
			return false, err
		}
	}
	if err := s.ImportSIMs(ctx, d.SIMs); err != nil {
		return false, err
	}
	for _, p := range d.Plans {
		if err := s.CreatePlan(ctx, p); err != nil {
			return false, err
		}
	}
	for code, plans := range d.Grants {
		for _, p := range plans {
			if err := s.GrantPlan(ctx, code, p); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// DemoUsers are the demo's users: an operator and a user of P000270, whose
// password is the demo secret.
var DemoUsers = []operator.User{
	{Username: "admin", Role: operator.RoleOperator},
	{Username: "p000270", Role: operator.RoleEnterprise, Enterprise: "P000270"},
}

// LoadUsers creates the demo users that do not exist yet, with password,
// and returns every demo user. Their first tokens are not kept: a demo
// user signs in with its password, or makes a token (opencube admin user
// token).
func LoadUsers(ctx context.Context, a *Access, password string) ([]operator.User, error) {
	for _, u := range DemoUsers {
		u := u
		if _, err := a.FindUser(ctx, u.Username); err == nil {
			continue
		} else if opencube.ErrorKind(err) != opencube.KindNotFound {
			return nil, err
		}
		if _, _, err := a.CreateUser(ctx, &u, password); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.Username, err)
		}
	}
	return DemoUsers, nil
}

// DemoKeyEnterprise is the enterprise of the demo Cube v4 key.
const DemoKeyEnterprise = "P000270"

// DemoPublicKey is the public half of the demo Cube v4 key, registered for
// DemoKeyEnterprise by `serve --demo`. Its private half is published in
// docs/signing/cubev4-demo-key.pem: it is for the demo only.
const DemoPublicKey = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo41JhOQWTmSAiAdb90J/
zRETY6aZ3Vj+gJ7iuVbUQWB3AY3ZQHNw5r58to0NosN9GVt3V8pScQvkW5o8YlC4
QXK2BEvKOC3f2sYoPQcuW01rLymUomDzjtUv7jm7SqHn4IipWlzM2/sT5+1eCy8n
L8gYHvvw8Cd0frTfl1nKhAZv5+hEgGsfc/0sdFByjmV9LZ2vGMmhgTxRgpbcKp8q
V54P0eonJnQyX99ZTAjVXrnyJKvwcdNUHEeHHRUQfAWnyWpvW+Tk275dGoIWjTwc
8a+CciMl0M1jv6bnEOkkGd9NXbT0uKvCeCndYlHVZWxyAaB7HhZiAql94jRatSlL
rQIDAQAB
-----END PUBLIC KEY-----
`

// DemoKeyID is the keyId of the demo Cube v4 key.
const DemoKeyID = "cff0c8e5fb964295e5ffb635bf8ff6ef"

// LoadDemoKey registers the demo Cube v4 key for DemoKeyEnterprise unless
// it is registered already.
func LoadDemoKey(ctx context.Context, k *Keys) error {
	if _, err := k.AddKey(ctx, DemoKeyEnterprise, DemoPublicKey); err != nil && opencube.ErrorKind(err) != opencube.KindConflict {
		return fmt.Errorf("demo Cube v4 key: %w", err)
	}
	return nil
}
