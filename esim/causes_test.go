package esim_test

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/esim"
	ocshop "github.com/opencube/opencube/shop"
)

// TestCauses sends a request for every cause an eSIM QR Mall answer
// states: the code stays the documented one, and the English message
// names the field or the rule that failed.
func TestCauses(t *testing.T) {
	s := newShop(t)
	ctx := t.Context()
	sess, err := s.svc.ESIM.Authenticate(ctx, s.token)
	if err != nil {
		t.Fatal(err)
	}
	pre := func() *ocshop.ESIMOrder {
		t.Helper()
		o, err := s.svc.ESIM.PreOrder(ctx, sess, ocshop.PreOrderRequest{PlanID: 1001, Currency: "USD", AmountMinor: 499, PeriodNum: 1})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	paid, waiting := pre(), pre()
	// A plan of one or two periods an order.
	if err := s.svc.ESIM.CreatePlan(ctx, &ocshop.ESIMPlan{ID: 1101, EnterpriseCode: partner, PackageCode: "ESIM-CN-2P", Name: "China, 1-2 weeks",
		MCCs: []string{"460"}, Continent: "AS", VolumeBytes: 1 << 30, PeriodDays: 7, Prices: []ocshop.Price{{Currency: "USD", AmountMinor: 100}},
		PlanCode: "ESIM-CORE-CN-1G", MaxPeriods: 2}); err != nil {
		t.Fatal(err)
	}
	// An eSIM plan must sell a core plan covering its countries.
	if err := s.svc.ESIM.CreatePlan(ctx, &ocshop.ESIMPlan{ID: 1102, EnterpriseCode: partner, PackageCode: "ESIM-JP-X", Name: "Japan",
		MCCs: []string{"440"}, Continent: "AS", VolumeBytes: 1 << 30, PeriodDays: 7, Prices: []ocshop.Price{{Currency: "USD", AmountMinor: 100}},
		PlanCode: "ESIM-CORE-CN-1G"}); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("a Japan plan selling a China core plan: %v", err)
	}
	if code, msg := s.webhook(t, "/payment/webhook", map[string]any{"orderId": paid.ID}); code != esim.CodeOK {
		t.Fatalf("paying %s: %d %s", paid.ID, code, msg)
	}
	sum := md5.Sum([]byte("pa55word"))
	passwd := hex.EncodeToString(sum[:])
	preOrder := map[string]any{"partnerCode": partner, "id": 1001, "currency": "USD", "money": "4.99", "periodNum": 1}
	register := map[string]any{"partnerCode": partner, "email": "new@example.com", "passwd": passwd, "verifyCode": "000000"}

	tests := []struct {
		name    string
		path    string
		fields  map[string]any
		webhook bool // fields go to the signed payment webhook
		code    int
		msg     string
	}{
		{name: "a top-up with a plan not covering the eSIM's countries", path: "/package/topUpOrder",
			fields: map[string]any{"partnerCode": partner, "id": 1002, "currency": "USD", "money": "9.99", "iccid": paid.ICCID},
			code:   esim.CodePlanNotFound, msg: "Package does not exist"},
		{name: "more periods than the plan sells", path: "/package/preOrderPackage", fields: map[string]any{"partnerCode": partner, "id": 1101,
			"currency": "USD", "money": "3.00", "periodNum": 3}, code: esim.CodeBadParams, msg: "Wrong parameters: periodNum must be 1-2"},
		{name: "money that is not the price", path: "/package/preOrderPackage", fields: with(preOrder, "money", "5"),
			code: esim.CodePriceInconsistent, msg: "Price inconsistent: money must be 4.99 USD, the plan's price times the periods"},
		{name: "money of one period for two", path: "/package/preOrderPackage", fields: with(preOrder, "periodNum", 2),
			code: esim.CodePriceInconsistent, msg: "Price inconsistent: money must be 9.98 USD, the plan's price times the periods"},
		{name: "a packageCode of another plan", path: "/package/preOrderPackage", fields: with(preOrder, "packageCode", "ESIM-JP-3G-15D"),
			code: esim.CodePlanNotFound, msg: "Package does not exist: packageCode ESIM-JP-3G-15D is not the code of plan 1001"},
		{name: "a currency the plan has no price in", path: "/package/preOrderPackage", fields: with(preOrder, "currency", "EUR"),
			code: esim.CodeBadParams, msg: "Wrong parameters: currency EUR is not a currency of plan 1001"},
		{name: "an unknown currency", path: "/package/preOrderPackage", fields: with(preOrder, "currency", "XYZ"),
			code: esim.CodeBadParams, msg: "Wrong parameters: currency must be " + esim.CurrencyRange},
		{name: "another partner's partnerCode", path: "/package/preOrderPackage", fields: with(preOrder, "partnerCode", "QY-000001"),
			code: esim.CodeBadParams, msg: "Wrong parameters: partnerCode is not the logged-in user's"},
		{name: "an unknown partnerCode", path: "/user/emailVerificationCode", fields: map[string]any{"partnerCode": "NO-SUCH", "email": "a@example.com"},
			code: esim.CodeBadParams, msg: "Wrong parameters: partnerCode is not a known partner"},
		{name: "a wrong verifyCode", path: "/user/emailRegister", fields: register,
			code: esim.CodeBadParams, msg: "Wrong parameters: verifyCode is wrong or expired"},
		{name: "userType 3", path: "/user/emailRegister", fields: with(register, "userType", "3"),
			code: esim.CodeBadParams, msg: "Wrong parameters: userType must be 4"},
		{name: "email missing: the field alone", path: "/user/emailRegister", fields: with(register, "email", nil),
			code: esim.CodeBadParams, msg: "Wrong parameters: email"},
		{name: "an email that is no address", path: "/user/emailRegister", fields: with(register, "email", "nobody"),
			code: esim.CodeBadParams, msg: "Wrong parameters: email must be an e-mail address"},
		{name: "a passwd that is no MD5", path: "/user/emailRegister", fields: with(register, "passwd", "pa55word"),
			code: esim.CodeBadParams, msg: "Wrong parameters: passwd must be the 32 hex digits of the password's MD5"},
		{name: "an order paid twice", path: "/payment/webhook", webhook: true, fields: map[string]any{"orderId": paid.ID, "paypalId": "PP-2"},
			code: esim.CodeOrderSystem, msg: "Order system exception: the order is already paid or failed"},
		{name: "a payment of another amount", path: "/payment/webhook", webhook: true, fields: map[string]any{"orderId": waiting.ID, "payAmount": "5.00"},
			code: esim.CodePriceInconsistent, msg: "Price inconsistent: payAmount must be 4.99 USD, the plan's price times the periods"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var code int
			var msg string
			if tc.webhook {
				code, msg = s.webhook(t, tc.path, tc.fields)
			} else {
				code, msg = s.params(t, tc.path, tc.fields)
			}
			if code != tc.code || msg != tc.msg {
				t.Errorf("%d %q, want %d %q", code, msg, tc.code, tc.msg)
			}
		})
	}
}

// TestCurrencyRange checks that CurrencyRange states every currency.
func TestCurrencyRange(t *testing.T) {
	for code, c := range esim.Currencies {
		if !strings.Contains(esim.CurrencyRange, code) || c.ID < 1 || c.ID > len(esim.Currencies) {
			t.Errorf("%s (id %d) is not stated by %q", code, c.ID, esim.CurrencyRange)
		}
	}
	if want := "currencyId 1-" + strconv.Itoa(len(esim.Currencies)); !strings.Contains(esim.CurrencyRange, want) {
		t.Errorf("%q does not state %s", esim.CurrencyRange, want)
	}
}
