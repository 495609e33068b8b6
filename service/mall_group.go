package service

import (
	"context"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// MaxGroupSIMs is the most SIMs one bundle-group operation names.
const MaxGroupSIMs = 1000

// checkGroupSIMs checks a bundle-group operation's SIMs: 1-MaxGroupSIMs,
// each once.
func checkGroupSIMs(groupID string, iccids []string) error {
	if groupID == "" || len(groupID) > 64 {
		return opencube.Invalid("groupId", "groupId must be 1-64 characters")
	}
	if len(iccids) == 0 || len(iccids) > MaxGroupSIMs {
		return opencube.OutOfRange("deviceCodes", 1, MaxGroupSIMs)
	}
	seen := map[string]bool{}
	for _, id := range iccids {
		if seen[id] {
			return opencube.Invalid("deviceCodes", "SIM %s appears twice", id)
		}
		seen[id] = true
	}
	return nil
}

// AddGroupSIMs puts SIMs of the enterprise in its bundle group groupID,
// creating the group (with name and basePlan, a plan the enterprise may
// order) when it does not exist, in one transaction whose result is kept
// for GroupResult: per SIM added (also when already in the group),
// unknown_sim or in_other_group.
func (s *Mall) AddGroupSIMs(ctx context.Context, groupID, name, basePlan string, iccids []string) (*shop.GroupResult, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkGroupSIMs(groupID, iccids); err != nil {
		return nil, err
	}
	if basePlan != "" {
		ps, _, err := s.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: code, Code: basePlan, Page: opencube.Page{Limit: 1}})
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 || ps[0].Status == opencube.PlanRetired {
			return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable", basePlan).Because(opencube.CausePlanUnknown)
		}
	}
	now := s.Clock.Now()
	res := &shop.GroupResult{EnterpriseCode: code, ID: opencube.NewUUID(), GroupID: groupID, Operation: "add", CreatedAt: now}
	err = s.Store.UpdateGroups(ctx, func(tx shop.GroupTx) error {
		res.Items = res.Items[:0]
		g, err := tx.Group(ctx, code, groupID)
		if err != nil {
			return err
		}
		switch {
		case g == nil && basePlan == "":
			return opencube.Invalid("basePlan", "basePlan is required to create group %s", groupID)
		case g == nil:
			if name == "" {
				name = groupID
			}
			if err := tx.InsertGroup(ctx, &shop.BundleGroup{EnterpriseCode: code, ID: groupID, Name: name, BasePlan: basePlan, CreatedAt: now}); err != nil {
				return err
			}
		case basePlan != "" && basePlan != g.BasePlan:
			return opencube.Invalid("basePlan", "group %s has base plan %s", groupID, g.BasePlan)
		}
		for _, iccid := range iccids {
			in, known, err := tx.SIMGroup(ctx, code, iccid)
			if err != nil {
				return err
			}
			item := shop.GroupItem{ICCID: iccid, Result: shop.GroupAdded}
			switch {
			case !known:
				item.Result = shop.GroupUnknownSIM
			case in == groupID:
			case in != "":
				item.Result = shop.GroupInOtherGroup
			default:
				if err := tx.AddGroupSIM(ctx, code, groupID, iccid, now); err != nil {
					return err
				}
			}
			res.Items = append(res.Items, item)
		}
		return tx.PutGroupResult(ctx, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RemoveGroupSIMs takes SIMs out of the enterprise's bundle group, in one
// transaction whose result is kept for GroupResult: per SIM removed or
// not_in_group. KindOrderNotFound for an unknown group.
func (s *Mall) RemoveGroupSIMs(ctx context.Context, groupID string, iccids []string) (*shop.GroupResult, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkGroupSIMs(groupID, iccids); err != nil {
		return nil, err
	}
	res := &shop.GroupResult{EnterpriseCode: code, ID: opencube.NewUUID(), GroupID: groupID, Operation: "remove", CreatedAt: s.Clock.Now()}
	err = s.Store.UpdateGroups(ctx, func(tx shop.GroupTx) error {
		res.Items = res.Items[:0]
		g, err := tx.Group(ctx, code, groupID)
		if err != nil {
			return err
		}
		if g == nil {
			return opencube.Errorf(opencube.KindOrderNotFound, "no bundle group %s", groupID)
		}
		for _, iccid := range iccids {
			ok, err := tx.RemoveGroupSIM(ctx, code, groupID, iccid)
			if err != nil {
				return err
			}
			item := shop.GroupItem{ICCID: iccid, Result: shop.GroupRemoved}
			if !ok {
				item.Result = shop.GroupNotInGroup
			}
			res.Items = append(res.Items, item)
		}
		return tx.PutGroupResult(ctx, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Groups returns the enterprise's bundle groups with their base plans.
func (s *Mall) Groups(ctx context.Context) ([]*shop.BundleGroup, map[string]*opencube.Plan, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, nil, err
	}
	gs, err := s.Store.FindGroups(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	ps, _, err := s.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: code})
	if err != nil {
		return nil, nil, err
	}
	plans := map[string]*opencube.Plan{}
	for _, p := range ps {
		plans[p.Code] = p
	}
	return gs, plans, nil
}

// GroupSIMs returns the SIMs of the enterprise's bundle group;
// KindOrderNotFound for an unknown group.
func (s *Mall) GroupSIMs(ctx context.Context, groupID string) ([]shop.GroupSIM, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	gs, err := s.Store.FindGroups(ctx, code)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.ID == groupID {
			return s.Store.FindGroupSIMs(ctx, code, groupID)
		}
	}
	return nil, opencube.Errorf(opencube.KindOrderNotFound, "no bundle group %s", groupID)
}

// GroupResult returns the result of a bundle-group operation.
func (s *Mall) GroupResult(ctx context.Context, id string) (*shop.GroupResult, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	return s.Store.FindGroupResult(ctx, code, id)
}
