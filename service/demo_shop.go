package service

import (
	"context"
	"fmt"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// ShopDemo is the consumer shops' part of the demo dataset: an eSIM
// catalog and 20 eSIM profiles for P000270. (The Mall needs nothing more:
// P000270's demo SIMs are active and its demo plans carry prices, so every
// demo SIM can top up in the Mall.)
type ShopDemo struct {
	// CorePlans are the core plans the eSIM plans sell, granted to
	// P000270; they carry no Mall price.
	CorePlans []*opencube.Plan
	Plans     []*shop.ESIMPlan
	Profiles  []*shop.Profile
}

// DemoSMDPAddress is the SM-DP+ address of the demo profiles.
const DemoSMDPAddress = "smdp.demo.opencube.dev"

// NewShopDemo returns the shops' demo dataset.
func NewShopDemo() *ShopDemo {
	const ent = "P000270"
	prices := func(usd, cny int64) []shop.Price {
		return []shop.Price{{Currency: "USD", AmountMinor: usd}, {Currency: "CNY", AmountMinor: cny}}
	}
	core := func(code, name string, gb int64, countries ...string) *opencube.Plan {
		return &opencube.Plan{Code: code, Name: name, Type: opencube.PlanMonthly, VolumeBytes: gb * 1024 * opencube.MB, Countries: countries}
	}
	d := &ShopDemo{CorePlans: []*opencube.Plan{
		core("ESIM-CORE-CN-1G", "eSIM China 1GB", 1, "CN"),
		core("ESIM-CORE-JP-3G", "eSIM Japan 3GB", 3, "JP"),
		core("ESIM-CORE-US-5G", "eSIM United States 5GB", 5, "US"),
		core("ESIM-CORE-EU-10G", "eSIM Europe 10GB", 10, "FR", "ES", "IT", "GB", "DE"),
	}, Plans: []*shop.ESIMPlan{
		{ID: 1001, EnterpriseCode: ent, PackageCode: "ESIM-CN-1G-7D", Name: "China 1GB 7 days", Description: "1 GB of data in mainland China, valid 7 days",
			MCCs: []string{"460"}, Continent: "AS", Hot: true, VolumeBytes: 1024 * opencube.MB, PeriodDays: 7, Prices: prices(499, 3500),
			PlanCode: "ESIM-CORE-CN-1G", Starts: shop.StartOnAttach},
		{ID: 1002, EnterpriseCode: ent, PackageCode: "ESIM-JP-3G-15D", Name: "Japan 3GB 15 days", Description: "3 GB of data in Japan, valid 15 days",
			MCCs: []string{"440"}, Continent: "AS", Hot: true, VolumeBytes: 3 * 1024 * opencube.MB, PeriodDays: 15, Prices: prices(999, 6900),
			PlanCode: "ESIM-CORE-JP-3G", Starts: shop.StartAtPayment},
		{ID: 1003, EnterpriseCode: ent, PackageCode: "ESIM-US-5G-30D", Name: "United States 5GB 30 days", Description: "5 GB of data in the United States, valid 30 days",
			MCCs: []string{"310"}, Continent: "NA", VolumeBytes: 5 * 1024 * opencube.MB, PeriodDays: 30, Prices: prices(1499, 9900),
			PlanCode: "ESIM-CORE-US-5G", Starts: shop.StartAtPayment},
		{ID: 1004, EnterpriseCode: ent, PackageCode: "ESIM-EU-10G-30D", Name: "Europe 10GB 30 days", Description: "10 GB of data in France, Germany, Italy, Spain and the United Kingdom, valid 30 days",
			MCCs: []string{"208", "214", "222", "234", "262"}, Region: true, Continent: "EU", VolumeBytes: 10 * 1024 * opencube.MB, PeriodDays: 30, Prices: prices(1999, 13900),
			PlanCode: "ESIM-CORE-EU-10G", Starts: shop.StartAtPayment},
	}}
	for i := 1; i <= 20; i++ {
		d.Profiles = append(d.Profiles, &shop.Profile{
			ICCID: fmt.Sprintf("894450990000000%05d", i), EnterpriseCode: ent,
			SMDPAddress: DemoSMDPAddress, MatchingID: fmt.Sprintf("OCDEMO-%04d-7QK2", i),
			IMSI: fmt.Sprintf("4609900000%05d", i), MSISDN: fmt.Sprintf("861390000%04d", i),
		})
	}
	return d
}

// Load writes the dataset through s. It reports false, and writes
// nothing, when the first demo plan already exists.
func (d *ShopDemo) Load(ctx context.Context, s *ESIM) (bool, error) {
	ps, err := s.Store.FindESIMPlans(ctx, shop.ESIMPlanFilter{Enterprise: d.Plans[0].EnterpriseCode, ID: d.Plans[0].ID})
	if err != nil || len(ps) > 0 {
		return false, err
	}
	for _, p := range d.CorePlans {
		c := *p
		c.CreatedAt, c.Status = s.Clock.Now(), opencube.PlanActive
		if err := s.Store.CreatePlan(ctx, &c); err != nil && opencube.ErrorKind(err) != opencube.KindConflict {
			return false, err
		}
		if err := s.Store.GrantPlan(ctx, d.Plans[0].EnterpriseCode, p.Code); err != nil {
			return false, err
		}
	}
	for _, p := range d.Plans {
		if err := s.CreatePlan(ctx, p); err != nil {
			return false, err
		}
	}
	if err := s.ImportProfiles(ctx, d.Profiles); err != nil {
		return false, err
	}
	return true, nil
}
