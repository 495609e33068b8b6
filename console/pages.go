package console

import (
	"github.com/opencube/opencube/operator"
)

// pages is the route table of the console: every page and action, in one
// place. Changes are POSTs carrying the session's form token.
var pages = []page{
	{pattern: "GET " + Prefix + "login", public: true, handle: (*Server).login},
	{pattern: "POST " + Prefix + "login", public: true, handle: (*Server).loginPost},
	{pattern: "GET " + Prefix + "lang", public: true, handle: (*Server).switchLanguage},
	{pattern: "POST " + Prefix + "logout", handle: (*Server).logout},
	{pattern: "GET " + Prefix + "{$}", handle: (*Server).overview},
	{pattern: "GET " + Prefix + "enterprises", handle: (*Server).enterprises},
	{pattern: "GET " + Prefix + "enterprises/{code}", handle: (*Server).enterprise},
	{pattern: "POST " + Prefix + "enterprises/{code}/{act}", handle: (*Server).enterpriseAct},
	{pattern: "GET " + Prefix + "sims", handle: (*Server).sims},
	{pattern: "GET " + Prefix + "sims/{iccid}", handle: (*Server).sim},
	{pattern: "POST " + Prefix + "sims/{iccid}/order", handle: (*Server).simOrder},
	{pattern: "POST " + Prefix + "sims/{iccid}/{move}", handle: (*Server).simMove},
	{pattern: "GET " + Prefix + "orders", handle: (*Server).orders},
	{pattern: "GET " + Prefix + "orders/{id}", handle: (*Server).order},
	{pattern: "POST " + Prefix + "orders/{id}/{move}", handle: (*Server).orderMove},
	{pattern: "GET " + Prefix + "plans", handle: (*Server).plans},
	{pattern: "GET " + Prefix + "plans/new", handle: (*Server).planNew},
	{pattern: "POST " + Prefix + "plans", handle: (*Server).planCreate},
	{pattern: "GET " + Prefix + "plans/{code}", handle: (*Server).plan},
	{pattern: "POST " + Prefix + "plans/{code}", handle: (*Server).planUpdate},
	{pattern: "POST " + Prefix + "plans/{code}/status", handle: (*Server).planStatus},
	{pattern: "POST " + Prefix + "plans/{code}/grants", handle: (*Server).planGrant},
	{pattern: "POST " + Prefix + "plans/{code}/grants/{enterprise}/revoke", handle: (*Server).planRevoke},
	// The shops: Mall and eSIM orders, payments, bundle groups.
	{pattern: "GET " + Prefix + "mall-orders", handle: (*Server).mallOrders},
	{pattern: "GET " + Prefix + "mall-orders/{code}/{no}", handle: (*Server).mallOrder},
	{pattern: "GET " + Prefix + "esim-orders", handle: (*Server).esimOrders},
	{pattern: "GET " + Prefix + "esim-orders/{id}", handle: (*Server).esimOrder},
	{pattern: "GET " + Prefix + "payments", handle: (*Server).payments},
	{pattern: "GET " + Prefix + "bundle-groups", handle: (*Server).bundleGroups},
	{pattern: "GET " + Prefix + "bundle-groups/{code}/{id}", handle: (*Server).bundleGroup},
	{pattern: "GET " + Prefix + "clock", handle: (*Server).clock},
	{pattern: "POST " + Prefix + "clock", handle: (*Server).clockAdvance},
	{pattern: "GET " + Prefix + "audit", handle: (*Server).audit},
	// Enterprise self-service: webhooks, alerts, SMS, settings, users.
	{pattern: "GET " + Prefix + "webhooks", handle: (*Server).webhooks},
	{pattern: "POST " + Prefix + "webhooks", handle: (*Server).webhookPut},
	{pattern: "POST " + Prefix + "webhooks/rotate", handle: (*Server).webhookRotate},
	{pattern: "POST " + Prefix + "webhooks/notification-key", handle: (*Server).notificationKey},
	{pattern: "POST " + Prefix + "webhooks/redeliver", handle: (*Server).redeliverSince},
	{pattern: "POST " + Prefix + "webhooks/deliveries/{id}/redeliver", handle: (*Server).redeliverOne},
	{pattern: "GET " + Prefix + "billing", handle: (*Server).billingPage},
	{pattern: "POST " + Prefix + "billing", handle: (*Server).billingPut},
	{pattern: "POST " + Prefix + "billing/topups", handle: (*Server).billingTopUp},
	{pattern: "GET " + Prefix + "billing/statements/{month}/{format}", handle: (*Server).billingDownload},
	{pattern: "GET " + Prefix + "alerts", handle: (*Server).alerts},
	{pattern: "POST " + Prefix + "alerts", handle: (*Server).alertsPut},
	{pattern: "GET " + Prefix + "sms", handle: (*Server).smsPage},
	{pattern: "POST " + Prefix + "sms", handle: (*Server).smsSend},
	{pattern: "GET " + Prefix + "settings", handle: (*Server).settings},
	{pattern: "POST " + Prefix + "settings/secrets", handle: (*Server).secretAdd},
	{pattern: "POST " + Prefix + "settings/secrets/{id}/drop", handle: (*Server).secretDrop},
	{pattern: "POST " + Prefix + "settings/keys", handle: (*Server).keyAdd},
	{pattern: "POST " + Prefix + "settings/keys/{id}/revoke", handle: (*Server).keyRevoke},
	{pattern: "GET " + Prefix + "users", handle: (*Server).users},
	{pattern: "POST " + Prefix + "users", handle: (*Server).userCreate},
	{pattern: "GET " + Prefix + "users/{username}", handle: (*Server).user},
	{pattern: "POST " + Prefix + "users/{username}/tokens", handle: (*Server).tokenCreate},
	{pattern: "POST " + Prefix + "users/{username}/tokens/{id}/revoke", handle: (*Server).tokenRevoke},
	{pattern: "POST " + Prefix + "users/{username}/disable", handle: (*Server).userDisablePost},
	{pattern: "POST " + Prefix + "users/{username}/enable", handle: (*Server).userEnablePost},
	{pattern: "POST " + Prefix + "users/{username}/password", handle: (*Server).userPassword},
}

// roleText says what the actor is, in the page's language.
func roleText(l *Lang, a *operator.Actor) string {
	switch a.Role {
	case operator.RoleSupport:
		return l.T("role.support")
	case operator.RoleEnterprise:
		return l.T("role.enterprise", a.Enterprise)
	}
	return l.T("role.operator")
}
