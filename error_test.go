package opencube_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/opencube/opencube"
)

// TestBecause: a cause and its values ride on the error, which keeps its
// kind and message; the order state machine names the state it refuses.
func TestBecause(t *testing.T) {
	e := opencube.Errorf(opencube.KindPlanNotOrderable, "package_type does not match plan %s", "DP1").
		Because(opencube.CausePlanType, "DP1", opencube.PlanMonthly)
	if e.Kind != opencube.KindPlanNotOrderable || e.Cause != opencube.CausePlanType || !slices.Equal(e.Args, []string{"DP1", "2"}) ||
		e.Message != "package_type does not match plan DP1" {
		t.Fatalf("Because = %+v", e)
	}
	_, err := opencube.OrderCancelled.Next(opencube.MoveEnable)
	if !errors.As(err, &e) || e.Kind != opencube.KindOrderState || e.Cause != opencube.CauseOrderStatus || !slices.Equal(e.Args, []string{"6"}) {
		t.Fatalf("Next from cancelled: %#v", err)
	}
}
