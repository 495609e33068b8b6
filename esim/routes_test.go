package esim

import (
	"strings"
	"testing"
)

// TestRoutes checks the route table: one row a pattern, the webhooks are
// the paths FMS and Stripe call (…/webhook), and only a webhook reads its
// body in a provider's own format.
func TestRoutes(t *testing.T) {
	seen := map[string]bool{}
	for _, rt := range Routes {
		if seen[rt.Pattern()] {
			t.Errorf("%s twice", rt.Pattern())
		}
		seen[rt.Pattern()] = true
		if rt.Webhook != strings.HasSuffix(rt.Path, "/webhook") {
			t.Errorf("%s: Webhook %v", rt.Path, rt.Webhook)
		}
		if rt.Raw && !rt.Webhook || rt.Webhook && rt.Auth {
			t.Errorf("%s: Raw %v, Webhook %v, Auth %v", rt.Path, rt.Raw, rt.Webhook, rt.Auth)
		}
	}
}
