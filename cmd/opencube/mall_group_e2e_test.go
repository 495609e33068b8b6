package main

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/opencube/opencube/csss"
)

// TestMallBundleGroups adds SIMs to a bundle group (made with its base
// plan), refuses another group's SIM and a foreign one SIM by SIM, lists
// the group and the groups, removes a SIM, and reads each operation's
// result back.
func TestMallBundleGroups(t *testing.T) {
	s := startShopServer(t)
	type result struct {
		RequestID, GroupID, Operation string
		Finished                      bool
		Items                         []struct{ DeviceCode, Code, Result string }
	}
	var add result
	s.mallOK(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-1", "groupName", "Fleet 1",
		"basePlan", "DP20190726001274", "deviceCodes", simP(0)+","+simP(1)+","+simQ(0)), &add)
	codes := func(r result) string {
		out := ""
		for _, it := range r.Items {
			out += it.Code + " "
		}
		return out
	}
	if add.RequestID == "" || !add.Finished || codes(add) != "0000 0000 2001 " {
		t.Fatalf("add: %+v", add)
	}
	// A new group needs its base plan; a SIM of another group is refused.
	if r := s.mall(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-2", "deviceCodes", simP(2))); r.Code != csss.CodeInvalid {
		t.Errorf("a new group without basePlan: %s", r.Code)
	}
	var add2 result
	s.mallOK(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-2", "basePlan", "DP20190726000001",
		"deviceCodes", simP(1)+","+simP(2)), &add2)
	if codes(add2) != "1001 0000 " {
		t.Errorf("add to fleet-2: %+v", add2)
	}
	if r := s.mall(t, "/topup/bundleGroup/addSims", s.mallBody(t, "addGroupSims", false, "groupId", "fleet-3", "basePlan", "NOPE",
		"deviceCodes", simP(3))); r.Code != csss.CodePlanNotOrderable {
		t.Errorf("an unknown base plan: %s", r.Code)
	}
	var sims struct {
		Total int
		List  []struct{ DeviceCode string }
	}
	s.mallOK(t, "/topup/bundleGroup/sims?"+s.mallGetQuery(t, "groupSims", "groupId", "fleet-1"), nil, &sims)
	if sims.Total != 2 || sims.List[0].DeviceCode != simP(0) {
		t.Errorf("fleet-1 SIMs: %+v", sims)
	}
	var groups struct {
		List []struct {
			GroupID, BasePlan, BasePlanName string
			SIMCount                        int
		}
	}
	s.mallOK(t, "/topup/bundleGroup/list?"+s.mallGetQuery(t, "groupList"), nil, &groups)
	if len(groups.List) != 2 || groups.List[0].BasePlan != "DP20190726001274" || groups.List[0].BasePlanName == "" || groups.List[0].SIMCount != 2 {
		t.Errorf("groups: %+v", groups)
	}
	// Remove: with DELETE, its body signed as any other.
	req, _ := http.NewRequest(http.MethodDelete, s.m.URL()+"/topup/bundleGroup/removeSims",
		bytes.NewReader(s.mallBody(t, "removeGroupSims", false, "groupId", "fleet-1", "deviceCodes", simP(1)+","+simP(2))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rm struct {
		Code string
		Data result
	}
	decodeReply(t, resp, &rm)
	if rm.Code != csss.CodeOK || codes(rm.Data) != "0000 2003 " {
		t.Fatalf("remove: %+v", rm)
	}
	var back result
	s.mallOK(t, "/topup/bundleGroup/result?"+s.mallGetQuery(t, "groupResult", "requestId", add.RequestID), nil, &back)
	if back.Operation != "add" || codes(back) != codes(add) {
		t.Errorf("result of the add: %+v", back)
	}
	var r mallReply
	req, _ = http.NewRequest(http.MethodGet, s.m.URL()+"/topup/bundleGroup/result?"+s.mallGetQuery(t, "groupResult", "requestId", "nope"), nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	decodeReply(t, resp, &r)
	if r.Code != csss.CodeOrderNotFound {
		t.Errorf("an unknown request: %s", r.Code)
	}
}
