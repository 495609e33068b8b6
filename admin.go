package opencube

import (
	"context"
	"slices"
)

// CreateEnterprise implements AdminService.
func (s *Service) CreateEnterprise(ctx context.Context, e *Enterprise) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.CreatedAt = s.Clock.Now()
	return s.Store.CreateEnterprise(ctx, e)
}

// FindEnterprise implements AdminService.
func (s *Service) FindEnterprise(ctx context.Context, accessCode string) (*Enterprise, error) {
	return s.Store.FindEnterprise(ctx, accessCode)
}

// RotateSecret implements AdminService.
func (s *Service) RotateSecret(ctx context.Context, accessCode, secret string) (*Enterprise, error) {
	e, err := s.Store.FindEnterprise(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	if slices.Contains(e.Secrets, secret) {
		return nil, Errorf(KindConflict, "enterprise %s already holds that secret", accessCode)
	}
	e.Secrets = append(e.Secrets, secret)
	if len(e.Secrets) > MaxSecrets {
		e.Secrets = e.Secrets[len(e.Secrets)-MaxSecrets:]
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateSecrets(ctx, accessCode, e.Secrets); err != nil {
		return nil, err
	}
	return e, nil
}

// ImportSIMs implements AdminService.
func (s *Service) ImportSIMs(ctx context.Context, sims []*SIM) error {
	now := s.Clock.Now()
	seen := make(map[string]bool, len(sims))
	for _, sim := range sims {
		if sim.Status == "" {
			sim.Status = SIMActive
		}
		if err := sim.Validate(); err != nil {
			return err
		}
		if seen[sim.ICCID] {
			return Invalid("iccid", "ICCID %s appears twice", sim.ICCID)
		}
		seen[sim.ICCID] = true
		sim.CreatedAt = now
	}
	return s.Store.CreateSIMs(ctx, sims)
}

// CreatePlan implements AdminService.
func (s *Service) CreatePlan(ctx context.Context, p *Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = s.Clock.Now()
	return s.Store.CreatePlan(ctx, p)
}

// GrantPlan implements AdminService.
func (s *Service) GrantPlan(ctx context.Context, accessCode, planCode string) error {
	return s.Store.GrantPlan(ctx, accessCode, planCode)
}
