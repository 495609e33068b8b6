package main

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

// groupResult is a bundle-group operation's answer.
type groupResult struct {
	RequestID, GroupID, Operation string
	Status                        string `json:"operationStatus"`
	Finished                      bool
	Items                         []struct{ DeviceCode, Code, Result, OrderID string }
}

// codes lists the SIMs' codes of a group operation, "-" for none.
func (r groupResult) codes() string {
	out := ""
	for _, it := range r.Items {
		c := it.Code
		if c == "" {
			c = "-"
		}
		out += c + " "
	}
	return out
}

// groupResultOf reads an operation's result.
func (s *shopServer) groupResultOf(t *testing.T, id string) groupResult {
	t.Helper()
	var r groupResult
	s.mallOK(t, "/topup/bundleGroup/result?"+s.mallGetQuery(t, "groupResult", "requestId", id), nil, &r)
	return r
}

// simOrders returns the orders of a SIM of P000270.
func (s *shopServer) simOrders(t *testing.T, iccid string) []*opencube.Order {
	t.Helper()
	os, _, err := s.m.Store.FindOrders(t.Context(), opencube.OrderFilter{Enterprise: entP, ICCID: iccid})
	if err != nil {
		t.Fatal(err)
	}
	return os
}

// removeGroupSIMs removes SIMs from a group with DELETE, its body signed as
// any other.
func (s *shopServer) removeGroupSIMs(t *testing.T, groupID, iccids string) (string, groupResult) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, s.m.URL()+"/topup/bundleGroup/removeSims",
		bytes.NewReader(s.mallBody(t, "removeGroupSims", false, "groupId", groupID, "deviceCodes", iccids)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rm struct {
		Code string
		Data groupResult
	}
	decodeReply(t, resp, &rm)
	return rm.Code, rm.Data
}

// TestMallBundleGroups adds SIMs to a bundle group (made with its base
// plan): the call answers a pending operation, the job does it, and the
// result then reports each SIM: added with an order of the base plan
// started at once, or refused (unknown, another partner's, in another
// group). It lists the group and the groups, removes SIMs (their orders
// stay), and adds a SIM that has an order in use to a group without
// ordering it another.
func TestMallBundleGroups(t *testing.T) {
	s := startShopServer(t)
	const base = "DP20190726001274"
	var add groupResult
	s.mallOK(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-1", "groupName", "Fleet 1",
		"basePlan", base, "deviceCodes", simP(0)+","+simP(1)+","+simQ(0)+",89852022018041899999"), &add)
	if add.RequestID == "" || add.Finished || add.Status != "pending" || add.codes() != "- - - - " || add.Items[0].Result != "pending" {
		t.Fatalf("add, answered: %+v", add)
	}
	if r := s.groupResultOf(t, add.RequestID); r.Finished || r.Status != "pending" {
		t.Fatalf("add, before its job: %+v", r)
	}
	if os := s.simOrders(t, simP(0)); len(os) != 0 {
		t.Fatalf("an order before the job ran: %+v", os[0])
	}
	s.runJobs(t)
	done := s.groupResultOf(t, add.RequestID)
	if !done.Finished || done.Status != "finished" || done.codes() != "0000 0000 2001 2001 " {
		t.Fatalf("add, after its job: %+v", done)
	}
	for i, iccid := range []string{simP(0), simP(1)} {
		os := s.simOrders(t, iccid)
		if len(os) != 1 || os[0].PlanCode != base || os[0].Status != opencube.OrderInUse || os[0].ID != done.Items[i].OrderID {
			t.Fatalf("%s: orders %+v, result %+v", iccid, os, done.Items[i])
		}
	}
	// The job ran once: running the jobs again changes nothing.
	s.runJobs(t)
	if os := s.simOrders(t, simP(0)); len(os) != 1 {
		t.Fatalf("orders after a second run: %d", len(os))
	}
	// A new group needs its base plan; an unknown base plan is refused.
	if r := s.mall(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-2", "deviceCodes", simP(2))); r.Code != csss.CodeInvalid {
		t.Errorf("a new group without basePlan: %s", r.Code)
	}
	if r := s.mall(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-3", "basePlan", "NOPE",
		"deviceCodes", simP(3))); r.Code != csss.CodePlanNotOrderable {
		t.Errorf("an unknown base plan: %s", r.Code)
	}
	// A SIM of another group is refused.
	var add2 groupResult
	s.mallOK(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-2", "basePlan", "DP20190726000001",
		"deviceCodes", simP(1)+","+simP(2)), &add2)
	s.runJobs(t)
	if r := s.groupResultOf(t, add2.RequestID); r.codes() != "1001 0000 " || r.Items[0].Result != "in_other_group" || r.Items[1].OrderID == "" {
		t.Errorf("add to fleet-2: %+v", r)
	}
	var sims struct {
		Total int
		List  []struct{ DeviceCode string }
	}
	s.mallOK(t, "/topup/bundleGroup/sims?"+s.mallGetQuery(t, "groupSims", "groupId", "fleet-1"), nil, &sims)
	if sims.Total != 2 || sims.List[0].DeviceCode != simP(0) || sims.List[1].DeviceCode != simP(1) {
		t.Errorf("fleet-1 SIMs: %+v", sims)
	}
	var groups struct {
		List []struct {
			GroupID, BasePlan, BasePlanName string
			SIMCount                        int
		}
	}
	s.mallOK(t, "/topup/bundleGroup/list?"+s.mallGetQuery(t, "groupList"), nil, &groups)
	if len(groups.List) != 2 || groups.List[0].BasePlan != base || groups.List[0].BasePlanName == "" || groups.List[0].SIMCount != 2 ||
		groups.List[1].GroupID != "fleet-2" || groups.List[1].SIMCount != 1 {
		t.Errorf("groups: %+v", groups)
	}
	// Remove: pending, then done by the job; the removed SIM keeps its order.
	code, rm := s.removeGroupSIMs(t, "fleet-1", simP(1)+","+simP(2))
	if code != csss.CodeOK || rm.Finished || rm.Operation != "remove" || rm.codes() != "- - " {
		t.Fatalf("remove, answered: %s %+v", code, rm)
	}
	s.runJobs(t)
	if r := s.groupResultOf(t, rm.RequestID); !r.Finished || r.codes() != "0000 2003 " {
		t.Fatalf("remove, after its job: %+v", r)
	}
	if os := s.simOrders(t, simP(1)); len(os) != 1 || os[0].Status != opencube.OrderInUse {
		t.Fatalf("the removed SIM's orders: %+v", os)
	}
	if code, _ := s.removeGroupSIMs(t, "fleet-9", simP(1)); code != csss.CodeOrderNotFound {
		t.Errorf("remove from an unknown group: %s", code)
	}
	// Now in no group, with an order in use: it joins fleet-2 and gets no
	// order of fleet-2's base plan.
	var add3 groupResult
	s.mallOK(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-2", "deviceCodes", simP(1)), &add3)
	s.runJobs(t)
	if r := s.groupResultOf(t, add3.RequestID); r.codes() != "0000 " || r.Items[0].OrderID != "" {
		t.Errorf("add a SIM with an order in use: %+v", r)
	}
	if os := s.simOrders(t, simP(1)); len(os) != 1 {
		t.Errorf("a SIM with an order in use got another: %d orders", len(os))
	}
	// The first operation's result is kept.
	if r := s.groupResultOf(t, add.RequestID); r.Operation != "add" || r.codes() != done.codes() {
		t.Errorf("result of the first add: %+v", r)
	}
	var r mallReply
	req, _ := http.NewRequest(http.MethodGet, s.m.URL()+"/topup/bundleGroup/result?"+s.mallGetQuery(t, "groupResult", "requestId", "nope"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	decodeReply(t, resp, &r)
	if r.Code != csss.CodeOrderNotFound {
		t.Errorf("an unknown request: %s", r.Code)
	}
}
