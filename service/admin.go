package service

import (
	"context"
	"slices"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/geo"
)

// CreateEnterprise implements opencube.AdminService.
func (s *Admin) CreateEnterprise(ctx context.Context, e *opencube.Enterprise) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.CreatedAt = s.Clock.Now()
	if e.Status == "" {
		e.Status = opencube.EnterpriseActive
	}
	e.SecretsAdded = make([]time.Time, len(e.Secrets))
	for i := range e.SecretsAdded {
		e.SecretsAdded[i] = e.CreatedAt
	}
	return s.Store.CreateEnterprise(ctx, e)
}

// FindEnterprise implements opencube.AdminService.
func (s *Admin) FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error) {
	return s.Store.FindEnterprise(ctx, accessCode)
}

// RotateSecret implements opencube.AdminService.
func (s *Admin) RotateSecret(ctx context.Context, accessCode, secret string) (*opencube.Enterprise, error) {
	// In the enterprise's locked transaction: a secret dropped meanwhile
	// is not brought back.
	now := s.Clock.Now()
	return s.Store.UpdateEnterprise(ctx, accessCode, now, func(e *opencube.Enterprise) error {
		if slices.Contains(e.Secrets, secret) {
			return opencube.Errorf(opencube.KindConflict, "enterprise %s already holds that secret", accessCode)
		}
		for len(e.SecretsAdded) < len(e.Secrets) { // ages an older version did not keep
			e.SecretsAdded = append(e.SecretsAdded, e.CreatedAt)
		}
		e.Secrets = append(e.Secrets, secret)
		e.SecretsAdded = append(e.SecretsAdded, now)
		if n := len(e.Secrets); n > opencube.MaxSecrets {
			e.Secrets = e.Secrets[n-opencube.MaxSecrets:]
			e.SecretsAdded = e.SecretsAdded[n-opencube.MaxSecrets:]
		}
		return e.Validate()
	})
}

// SetRateLimit implements opencube.AdminService.
func (s *Admin) SetRateLimit(ctx context.Context, accessCode string, l *opencube.RateLimit) (*opencube.Enterprise, error) {
	if l != nil {
		if err := l.Validate(); err != nil {
			return nil, err
		}
	}
	if err := s.Store.UpdateRateLimit(ctx, accessCode, l); err != nil {
		return nil, err
	}
	return s.Store.FindEnterprise(ctx, accessCode)
}

// ImportSIMs implements opencube.AdminService.
func (s *Admin) ImportSIMs(ctx context.Context, sims []*opencube.SIM) error {
	now := s.Clock.Now()
	seen := make(map[string]bool, len(sims))
	for _, sim := range sims {
		if sim.Status == "" {
			sim.Status = opencube.SIMActive
		}
		if err := sim.Validate(); err != nil {
			return err
		}
		if seen[sim.ICCID] {
			return opencube.Invalid("iccid", "ICCID %s appears twice", sim.ICCID)
		}
		seen[sim.ICCID] = true
		sim.CreatedAt = now
		if a := sim.Auth; a != nil {
			a.Normalize()
			if err := a.Validate(); err != nil {
				return err
			}
		}
	}
	var jobs []*opencube.Job
	if s.HLR != nil {
		jobs = make([]*opencube.Job, len(sims))
		for i, sim := range sims {
			jobs[i] = s.HLR.SyncJob(sim.ICCID)
		}
	}
	return s.Store.CreateSIMs(ctx, sims, jobs...)
}

// CreatePlan implements opencube.AdminService.
func (s *Admin) CreatePlan(ctx context.Context, p *opencube.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	for _, c := range p.Countries {
		if _, ok := geo.ByISO(c); !ok {
			return opencube.Invalid("countries", "%q is not an ISO 3166 country code opencube knows", c)
		}
	}
	p.CreatedAt = s.Clock.Now()
	p.Status = opencube.PlanActive
	return s.Store.CreatePlan(ctx, p)
}

// GrantPlan implements opencube.AdminService.
func (s *Admin) GrantPlan(ctx context.Context, accessCode, planCode string) error {
	return s.Store.GrantPlan(ctx, accessCode, planCode)
}
