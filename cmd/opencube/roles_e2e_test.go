package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// enterpriseAccess is what an enterprise user of P000270 gets from every
// admin route: on P000270's object, and on QY-000001's ("-" for a route
// that names no object). "ok" is any answer the route itself gives (a 400
// for the empty body the test sends is one); "403" forbidden; "404" the
// answer a missing object gets. Operators get "ok" everywhere; support
// users "ok" for GET and "403" for every change. A route missing here
// fails the test.
var enterpriseAccess = map[string]string{
	"POST /admin/v1/enterprises":                                    "403 -",
	"GET /admin/v1/enterprises/{code}":                              "ok 404",
	"POST /admin/v1/enterprises/{code}/secrets":                     "ok 404",
	"POST /admin/v1/enterprises/{code}/plans":                       "403 403",
	"PUT /admin/v1/enterprises/{code}/rate-limit":                   "403 403",
	"DELETE /admin/v1/enterprises/{code}/rate-limit":                "403 403",
	"POST /admin/v1/plans":                                          "403 -",
	"POST /admin/v1/sims":                                           "403 -",
	"POST /admin/v1/sims/{iccid}/{move}":                            "ok 404",
	"POST /admin/v1/sims/{iccid}/imsi":                              "403 403",
	"POST /admin/v1/orders/{id}/reduce":                             "403 403",
	"POST /admin/v1/enterprises/{code}/esim-profiles":               "403 403",
	"GET /admin/v1/enterprises/{code}/esim-profiles":                "ok 404",
	"POST /admin/v1/enterprises/{code}/esim-profiles/{iccid}/state": "ok 404",
	"POST /admin/v1/esim-plans":                                     "403 -",
	"GET /admin/v1/sandbox/verification-codes":                      "403 -",
	"PUT /admin/v1/enterprises/{code}/webhook":                      "ok 404",
	"GET /admin/v1/enterprises/{code}/webhook":                      "ok 404",
	"POST /admin/v1/enterprises/{code}/webhook/rotate":              "ok 404",
	"POST /admin/v1/enterprises/{code}/webhook/notification-key":    "ok 404",
	"GET /admin/v1/enterprises/{code}/deliveries":                   "ok 404",
	"POST /admin/v1/enterprises/{code}/deliveries/redeliver":        "ok 404",
	"POST /admin/v1/deliveries/{id}/redeliver":                      "ok 404",
	"PUT /admin/v1/enterprises/{code}/alerts":                       "ok 404",
	"GET /admin/v1/enterprises/{code}/alerts":                       "ok 404",
	"GET /admin/v1/clock":                                           "ok -",
	"POST /admin/v1/clock/advance":                                  "403 -",
	"POST /admin/v1/sims/{iccid}/mo":                                "ok 404",
	"PUT /admin/v1/sandbox/sms-gateway":                             "403 -",
	"GET /admin/v1/me":                                              "ok -",
	"POST /admin/v1/users":                                          "ok -",
	"GET /admin/v1/users":                                           "ok -",
	"GET /admin/v1/users/{username}":                                "ok 404",
	"POST /admin/v1/users/{username}/tokens":                        "ok 404",
	"DELETE /admin/v1/users/{username}/tokens/{id}":                 "ok 404",
	"POST /admin/v1/users/{username}/disable":                       "ok 404",
	"POST /admin/v1/users/{username}/enable":                        "ok 404",
	"PUT /admin/v1/users/{username}/password":                       "ok 404",
	"GET /admin/v1/audit":                                           "ok -",
	"GET /admin/v1/enterprises":                                     "ok -",
	"GET /admin/v1/sims":                                            "ok -",
	"GET /admin/v1/sims/{iccid}":                                    "ok 404",
	"GET /admin/v1/orders":                                          "ok -",
	"GET /admin/v1/orders/{id}":                                     "ok 404",
	"GET /admin/v1/plans":                                           "ok -",
	"GET /admin/v1/plans/{code}":                                    "ok 404",
	"GET /admin/v1/usage":                                           "ok -",
	"GET /admin/v1/sessions":                                        "ok -",
	"GET /admin/v1/sms":                                             "ok -",
	"GET /admin/v1/hlr":                                             "403 -",
	"POST /admin/v1/hlr/reconcile":                                  "403 -",
	"POST /admin/v1/master-keys/rotate":                             "403 -",
	"GET /admin/v1/jobs":                                            "403 -",
	"DELETE /admin/v1/enterprises/{code}/plans/{plan}":              "403 403",
	"POST /admin/v1/enterprises/{code}/disable":                     "403 403",
	"POST /admin/v1/enterprises/{code}/enable":                      "403 403",
	"DELETE /admin/v1/enterprises/{code}/secrets/{id}":              "ok 404",
	"PATCH /admin/v1/plans/{code}":                                  "403 403",
	"PUT /admin/v1/sims/{iccid}/enterprise":                         "403 403",
	"POST /admin/v1/sims/bulk":                                      "ok -",
	"POST /admin/v1/orders":                                         "ok -",
	"POST /admin/v1/orders/{id}/enable":                             "ok 404",
	"POST /admin/v1/orders/{id}/renew":                              "ok 404",
	"POST /admin/v1/orders/{id}/cancel":                             "ok 404",
	"POST /admin/v1/orders/{id}/end":                                "ok 404",
	"POST /admin/v1/orders/{id}/suspend":                            "ok 404",
	"POST /admin/v1/orders/{id}/resume":                             "ok 404",
	"POST /admin/v1/sms":                                            "ok -",
	"POST /admin/v1/enterprises/{code}/keys":                        "ok 404",
	"GET /admin/v1/enterprises/{code}/keys":                         "ok 404",
	"DELETE /admin/v1/enterprises/{code}/keys/{id}":                 "ok 404",
	"PUT /admin/v1/enterprises/{code}/billing":                      "403 403",
	"GET /admin/v1/enterprises/{code}/billing":                      "ok 404",
	"PUT /admin/v1/enterprises/{code}/plans/{plan}/price":           "403 403",
	"POST /admin/v1/enterprises/{code}/topups":                      "403 403",
	"POST /admin/v1/enterprises/{code}/adjustments":                 "403 403",
	"GET /admin/v1/enterprises/{code}/balance":                      "ok 404",
	"GET /admin/v1/enterprises/{code}/statements/{month}":           "ok 404",
	"GET /admin/v1/enterprises/{code}/usage-export":                 "ok 404",
	"GET /admin/v1/ledger/verify":                                   "403 -",
	"GET /admin/v1/mall-orders":                                     "ok -",
	"GET /admin/v1/esim-orders":                                     "ok -",
	"GET /admin/v1/esim-orders/{id}":                                "ok 404",
	"GET /admin/v1/enterprises/{code}/mall-orders/{no}":             "ok 404",
	"GET /admin/v1/payments":                                        "ok -",
	"GET /admin/v1/bundle-groups":                                   "ok -",
	"GET /admin/v1/enterprises/{code}/bundle-groups/{id}":           "ok 404",
}

// roleTarget names the objects of one enterprise a route's path values
// are filled with.
type roleTarget struct {
	code, iccid, order, delivery, username, token, plan string
	esimOrder, group, mallOrder                         string
}

// path fills a route pattern's path values with t's objects.
func (t roleTarget) path(pattern string) string {
	_, p, _ := strings.Cut(pattern, " ")
	id := t.order
	switch {
	case strings.Contains(p, "/deliveries/{id}"):
		id = t.delivery
	case strings.Contains(p, "/esim-orders/{id}"):
		id = t.esimOrder
	case strings.Contains(p, "/bundle-groups/{id}"):
		id = t.group
	case strings.Contains(p, "/tokens/{id}"):
		id = t.token
	case strings.Contains(p, "/keys/{id}"):
		id = strings.Repeat("0", 32) // no key: the route's own 404
	case strings.Contains(p, "/secrets/{id}"):
		id = opencube.SecretID(demoSecret)
	}
	code := t.code
	if strings.HasPrefix(p, "/admin/v1/plans/") {
		code = t.plan // a plan's code
	}
	return strings.NewReplacer("{code}", code, "{iccid}", t.iccid, "{id}", id, "{username}", t.username,
		"{plan}", t.plan, "{no}", t.mallOrder, "{move}", "activate", "{month}", "202501").Replace(p)
}

// TestRoleRouteTable: every admin route against every role, on an object
// of the enterprise user's own enterprise and of another: what
// enterpriseAccess says, support's reads only, operators everything.
func TestRoleRouteTable(t *testing.T) {
	s := startShopServer(t)
	ctx := t.Context()
	boot := s.admin()
	boot.Token = shopAdminToken
	hook := newReceiver(t, 0)
	targets := map[string]*roleTarget{entP: {code: entP, iccid: simP(1), plan: planMonthly.code}, entQ: {code: entQ, iccid: simQ(1), plan: planOTA.code}}
	for code, c := range map[string]*roleTarget{entP: targets[entP], entQ: targets[entQ]} {
		if _, err := boot.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: code, URL: hook.srv.URL}); err != nil {
			t.Fatal(err)
		}
		u, err := boot.CreateUser(ctx, admin.UserRequest{Username: "target-" + strings.ToLower(code), Role: operator.RoleEnterprise, Enterprise: code})
		if err != nil {
			t.Fatal(err)
		}
		c.username, c.token = u.Username, u.TokenID
	}
	targets[entP].order = s.mustOrder(t, s.p, planMonthly.order(simP(2), false))
	targets[entQ].order = s.mustOrder(t, s.q, planOTA.ota(simQ(2)))
	for _, c := range targets {
		ds, err := boot.FindDeliveries(ctx, opencube.DeliveryFilter{Enterprise: c.code, Limit: 1})
		if err != nil || len(ds) == 0 {
			t.Fatalf("deliveries of %s: %v, %v", c.code, ds, err)
		}
		c.delivery = ds[0].ID
	}
	// An eSIM order and a bundle group of each enterprise, for the shops'
	// detail routes.
	for _, c := range targets {
		c.esimOrder, c.group, c.mallOrder = "ESIM-ROLE-"+c.code, "fleet-"+strings.ToLower(c.code), "MALL-ROLE-"+c.code
		now := s.clock.Now()
		if err := s.m.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
			return tx.PutMallOrder(ctx, &shop.MallOrder{OrderNo: c.mallOrder, EnterpriseCode: c.code, ICCID: c.iccid, PackageCode: c.plan, OrderPeriod: 1,
				PayAmountMinor: 1, PayCurrency: "CNY", CreatedAt: now, UpdatedAt: now})
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.m.Store.CreateESIMOrder(ctx, &shop.ESIMOrder{ID: c.esimOrder, EnterpriseCode: c.code, UserID: "u", Email: "role@example.com",
			PlanID: 1, PackageCode: "X", PlanName: "X", PeriodNum: 1, Currency: "USD", AmountMinor: 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour), UpdatedAt: now}, false, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.m.Store.UpdateGroups(ctx, func(tx shop.GroupTx) error {
			return tx.InsertGroup(ctx, &shop.BundleGroup{EnterpriseCode: c.code, ID: c.group, Name: "Fleet", BasePlan: c.plan, CreatedAt: now})
		}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[operator.Role]string{}
	for _, u := range []admin.UserRequest{
		{Username: "role-ent", Role: operator.RoleEnterprise, Enterprise: entP},
		{Username: "role-sup", Role: operator.RoleSupport},
		{Username: "role-ops", Role: operator.RoleOperator},
	} {
		nu, err := boot.CreateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		tokens[u.Role] = nu.Token
	}

	// send makes one request and returns its status and error kind and
	// message.
	send := func(token, method, path string) (int, opencube.Kind, string) {
		t.Helper()
		var body io.Reader
		if method != http.MethodGet && method != http.MethodDelete {
			body = strings.NewReader(`{}`)
		}
		req, _ := http.NewRequest(method, s.m.URL()+path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e admin.ErrorResponse
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error.Kind, e.Error.Message
	}
	// outcome classes an answer: 403 forbidden, 404 for the object of
	// target as missing, ok otherwise (401 fails the test).
	outcome := func(status int, kind opencube.Kind, msg string, target *roleTarget) string {
		switch {
		case status == http.StatusUnauthorized:
			return "401"
		case status == http.StatusForbidden && kind == admin.KindForbidden:
			return "403"
		case status == http.StatusNotFound && kind != admin.KindNoRoute && target != nil &&
			(strings.Contains(msg, target.code) || strings.Contains(msg, target.iccid) || strings.Contains(msg, target.order) ||
				strings.Contains(msg, target.delivery) || strings.Contains(msg, target.username) || strings.Contains(msg, target.plan) ||
				strings.Contains(msg, target.esimOrder)):
			return "404"
		}
		return "ok"
	}
	routes := append([]admin.Route(nil), admin.Routes...)
	for _, rt := range routes {
		if _, ok := enterpriseAccess[rt.Pattern]; !ok {
			t.Errorf("%s: not in enterpriseAccess", rt.Pattern)
		}
	}
	// The enterprise user first, then support, then operators, whose
	// changes might stand in the others' way.
	for _, role := range []operator.Role{operator.RoleEnterprise, operator.RoleSupport, operator.RoleOperator} {
		for _, rt := range routes {
			want, ok := enterpriseAccess[rt.Pattern]
			if !ok {
				continue
			}
			method, _, _ := strings.Cut(rt.Pattern, " ")
			if rt.Pattern == "POST /admin/v1/users/{username}/disable" && role != operator.RoleEnterprise {
				continue // it would lock out the user of the next rows; the enterprise user's rows show it
			}
			ownWant, otherWant, _ := strings.Cut(want, " ")
			for i, target := range []*roleTarget{targets[entP], targets[entQ]} {
				if i == 1 && otherWant == "-" {
					break
				}
				expect := "ok"
				switch {
				case role == operator.RoleSupport && method != http.MethodGet:
					expect = "403"
				case role == operator.RoleEnterprise && i == 0:
					expect = ownWant
				case role == operator.RoleEnterprise:
					expect = otherWant
				}
				path := target.path(rt.Pattern)
				status, kind, msg := send(tokens[role], method, path)
				// The operator's own-object outcome is "ok" even when the
				// handler answers 404 for a reason of its own.
				var scoped *roleTarget
				if role == operator.RoleEnterprise {
					scoped = target
				}
				if got := outcome(status, kind, msg, scoped); got != expect {
					t.Errorf("%s as %s on %s's object (%s): %s (%d %s %q); want %s", rt.Pattern, role, target.code, path, got, status, kind, msg, expect)
				}
			}
		}
	}
}
