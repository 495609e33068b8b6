package service

import (
	"context"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
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

// AddGroupSIMs asks for SIMs of the enterprise to be put in its bundle
// group groupID, creating the group (with name and basePlan, a plan the
// enterprise may order) when it does not exist. It writes, in one
// transaction, the group when new, the operation's result with every SIM
// pending, and the job (shop.JobMallGroupOperation) that does the change,
// and returns that pending result at once: GroupResult reports it, and
// each SIM's outcome once the job has run (see GroupOperationJob).
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
		if len(ps) == 0 || ps[0].Status == opencube.PlanRetired || ps[0].AddOn {
			return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable", basePlan).Because(opencube.CausePlanUnknown)
		}
	}
	now := s.Clock.Now()
	res := pendingResult(code, groupID, "add", iccids, now)
	err = s.Store.UpdateGroups(ctx, func(tx shop.GroupTx) error {
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
		return s.queueGroupOperation(ctx, tx, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RemoveGroupSIMs asks for SIMs to be taken out of the enterprise's
// bundle group, as AddGroupSIMs does: the pending result and its job in
// one transaction. KindOrderNotFound for an unknown group.
func (s *Mall) RemoveGroupSIMs(ctx context.Context, groupID string, iccids []string) (*shop.GroupResult, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkGroupSIMs(groupID, iccids); err != nil {
		return nil, err
	}
	res := pendingResult(code, groupID, "remove", iccids, s.Clock.Now())
	err = s.Store.UpdateGroups(ctx, func(tx shop.GroupTx) error {
		g, err := tx.Group(ctx, code, groupID)
		if err != nil {
			return err
		}
		if g == nil {
			return opencube.Errorf(opencube.KindOrderNotFound, "no bundle group %s", groupID)
		}
		return s.queueGroupOperation(ctx, tx, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// pendingResult is a new operation's result: every SIM pending.
func pendingResult(code, groupID, op string, iccids []string, now time.Time) *shop.GroupResult {
	res := &shop.GroupResult{EnterpriseCode: code, ID: opencube.NewUUID(), GroupID: groupID, Operation: op, CreatedAt: now}
	for _, id := range iccids {
		res.Items = append(res.Items, shop.GroupItem{ICCID: id, Result: shop.GroupPending})
	}
	return res
}

// queueGroupOperation writes, in tx, the pending result and its job.
func (s *Mall) queueGroupOperation(ctx context.Context, tx shop.GroupTx, res *shop.GroupResult) error {
	if err := tx.PutGroupResult(ctx, res); err != nil {
		return err
	}
	return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: shop.JobMallGroupOperation, Key: res.ID,
		Payload: []byte(res.EnterpriseCode), RunAt: res.CreatedAt})
}

// GroupOperationJob is the shop.JobMallGroupOperation handler: it does a
// pending bundle-group operation (the key; the payload names its
// enterprise) in one transaction with its result, so that the operation
// is done once whichever node runs it and a job cut short is done again in
// full. A finished operation is left alone.
//
// Adding, per SIM: unknown_sim when it is not a SIM of the enterprise;
// in_other_group when another group holds it; otherwise it joins the group
// (added, also when already in it) and, when it has no usable order (none
// in use or suspended, none waiting to be enabled), it gets an order of
// one period of the group's base plan, charged to the enterprise as an
// order of the plan, with the usual order events: started at once, or,
// for an OTA SIM, waiting to be enabled as any order of an OTA SIM. A SIM
// the base plan cannot be ordered for (an OTA plan and a non-OTA SIM, a
// SIM not usable, a balance that does not cover it) is not_orderable and
// stays out of the group. Its existing orders are never changed.
//
// Removing, per SIM: removed, or not_in_group; the SIM's orders stay.
func (s *Mall) GroupOperationJob(ctx context.Context, j *opencube.Job) error {
	code := string(j.Payload)
	return s.Store.UpdateGroups(ctx, func(tx shop.GroupTx) error {
		res, err := tx.GroupResult(ctx, code, j.Key)
		if err != nil || res == nil || res.Finished() {
			return err
		}
		g, err := tx.Group(ctx, code, res.GroupID)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		items := make([]shop.GroupItem, len(res.Items))
		for i, it := range res.Items {
			item := shop.GroupItem{ICCID: it.ICCID}
			switch {
			case g == nil && res.Operation == "remove":
				item.Result = shop.GroupNotInGroup
			case g == nil:
				item.Result, item.Message, item.Cause = shop.GroupNotOrderable, "the group no longer exists", shop.CauseGroupGone
			case res.Operation == "remove":
				ok, err := tx.RemoveGroupSIM(ctx, code, g.ID, it.ICCID)
				if err != nil {
					return err
				}
				item.Result = shop.GroupRemoved
				if !ok {
					item.Result = shop.GroupNotInGroup
				}
			default:
				if err := s.addToGroup(ctx, tx, g, &item, now); err != nil {
					return err
				}
			}
			items[i] = item
		}
		res.Items = items
		return tx.PutGroupResult(ctx, res)
	})
}

// addToGroup adds one SIM to g, in tx, with the base plan's order it
// needs (see GroupOperationJob), setting item's outcome.
func (s *Mall) addToGroup(ctx context.Context, tx shop.GroupTx, g *shop.BundleGroup, item *shop.GroupItem, now time.Time) error {
	in, known, err := tx.SIMGroup(ctx, g.EnterpriseCode, item.ICCID)
	switch {
	case err != nil:
		return err
	case !known:
		item.Result = shop.GroupUnknownSIM
		return nil
	case in != "" && in != g.ID:
		item.Result = shop.GroupInOtherGroup
		return nil
	}
	item.Result = shop.GroupAdded
	active, err := tx.ActiveOrder(ctx, item.ICCID)
	if err != nil {
		return err
	}
	next, err := tx.NextOrder(ctx, item.ICCID)
	if err != nil {
		return err
	}
	if active == nil && next == nil {
		o, err := s.orderBasePlan(ctx, tx, g, item.ICCID, now)
		if k := opencube.ErrorKind(err); k != "" && k != opencube.KindInternal {
			item.Result, item.Message = shop.GroupNotOrderable, err.Error()
			item.Cause, item.Args = shop.CauseBasePlan, []string{g.BasePlan}
			if e := (*opencube.Error)(nil); errors.As(err, &e) && e.Cause != "" {
				item.Cause, item.Args = e.Cause, e.Args
			}
			return nil
		}
		if err != nil {
			return err
		}
		item.OrderID = o.ID
	}
	if in == g.ID {
		return nil
	}
	return tx.AddGroupSIM(ctx, g.EnterpriseCode, g.ID, item.ICCID, now)
}

// orderBasePlan orders one period of g's base plan for the SIM, in tx:
// checked and quoted before anything is written, so that a refusal (a
// known error kind) leaves tx as it was.
func (s *Mall) orderBasePlan(ctx context.Context, tx shop.GroupTx, g *shop.BundleGroup, iccid string, now time.Time) (*opencube.Order, error) {
	plan, err := tx.Plan(ctx, g.EnterpriseCode, g.BasePlan)
	if err != nil {
		return nil, err
	}
	sim, err := tx.SIM(ctx, g.EnterpriseCode, iccid)
	if err != nil {
		return nil, err
	}
	r := opencube.OrderRequest{ICCID: iccid, PlanCode: plan.Code, PlanName: plan.Name, PlanType: plan.Type, OrderPeriod: 1,
		PayAmountMinor: plan.PriceMinor, PayRst: "1", PayType: "group", Open: !sim.OTA}
	o, err := s.Orders.newOrder(ctx, tx, g.EnterpriseCode, &r, iccid)
	if err != nil {
		return nil, err
	}
	if err := o.CheckValidity("orderPeriod"); err != nil {
		return nil, err
	}
	q, err := quote(ctx, tx, now, g.EnterpriseCode, billing.KindOrder, o.PlanCode, 1, 1, &r)
	if err != nil {
		return nil, err
	}
	if err := s.Orders.place(ctx, tx, o, r.Open); err != nil {
		return nil, err
	}
	return o, q.book(ctx, tx, o)
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
