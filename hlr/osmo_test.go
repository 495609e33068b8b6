package hlr_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/hlr"
	"github.com/opencube/opencube/hlr/hlrtest"
)

// TestOsmo drives a real OsmoHLR through every Register method. One test
// function: OsmoHLR's fixed ports allow one at a time.
func TestOsmo(t *testing.T) {
	srv := hlrtest.Start(t)
	ctx := context.Background()
	o := hlr.NewOsmo(hlrtest.CtrlAddr)
	defer o.Close()
	const imsi = "901700000000001"

	t.Run("create", func(t *testing.T) {
		if err := o.Create(ctx, imsi); err != nil {
			t.Fatal(err)
		}
		if err := o.Create(ctx, imsi); !errors.Is(err, hlr.ErrExists) {
			t.Fatalf("second create: %v, want ErrExists", err)
		}
		if err := o.SetMSISDN(ctx, imsi, "4915100000001"); err != nil {
			t.Fatal(err)
		}
		got, err := o.Subscriber(ctx, imsi)
		if err != nil {
			t.Fatal(err)
		}
		want := &hlr.Subscriber{IMSI: imsi, MSISDN: "4915100000001", CS: true, PS: true}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("subscriber (-want +got):\n%s", d)
		}
	})
	t.Run("access", func(t *testing.T) {
		for _, c := range []struct{ cs, ps bool }{{false, false}, {true, false}, {true, true}} {
			if err := o.SetAccess(ctx, imsi, c.cs, c.ps); err != nil {
				t.Fatal(err)
			}
			got, err := o.Subscriber(ctx, imsi)
			if err != nil {
				t.Fatal(err)
			}
			if got.CS != c.cs || got.PS != c.ps {
				t.Fatalf("after SetAccess(%v, %v): cs %v ps %v", c.cs, c.ps, got.CS, got.PS)
			}
		}
	})
	t.Run("auth", func(t *testing.T) {
		for _, a := range []*opencube.SIMAuth{
			{Algorithm: "milenage", Ki: "000102030405060708090a0b0c0d0e0f", OPc: "101112131415161718191a1b1c1d1e1f"},
			{Algorithm: "comp128v1", Ki: "000102030405060708090a0b0c0d0e0f"},
			nil, nil,
		} {
			if err := o.SetAuth(ctx, imsi, a); err != nil {
				t.Fatalf("SetAuth(%v): %v", a != nil, err)
			}
		}
		err := o.SetAuth(ctx, imsi, &opencube.SIMAuth{Algorithm: "milenage", Ki: "zz", OPc: "101112131415161718191a1b1c1d1e1f"})
		r, ok := hlr.IsRefused(err)
		if !ok {
			t.Fatalf("bad key: %v, want a refusal", err)
		}
		if cmp.Equal(r.Command, "") || containsAny(err.Error(), "101112131415161718191a1b1c1d1e1f") {
			t.Fatalf("refusal %q quotes the key", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		if err := o.Create(ctx, "901700000000002"); err != nil {
			t.Fatal(err)
		}
		if err := o.SetAccess(ctx, "901700000000002", false, false); err != nil {
			t.Fatal(err)
		}
		got, err := o.Subscribers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []*hlr.Subscriber{
			{IMSI: imsi, MSISDN: "4915100000001", CS: true, PS: true},
			{IMSI: "901700000000002"},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("subscribers (-want +got):\n%s", d)
		}
	})
	t.Run("refused", func(t *testing.T) {
		err := o.Create(ctx, "12")
		if r, ok := hlr.IsRefused(err); !ok || r.Answer != "Invalid IMSI value." {
			t.Fatalf("create of a bad IMSI: %v", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := o.Delete(ctx, imsi); err != nil {
			t.Fatal(err)
		}
		if err := o.Delete(ctx, imsi); !errors.Is(err, hlr.ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}
		if _, err := o.Subscriber(ctx, imsi); !errors.Is(err, hlr.ErrNotFound) {
			t.Fatalf("deleted subscriber: %v, want ErrNotFound", err)
		}
	})
	t.Run("down", func(t *testing.T) {
		srv.Stop()
		var u *hlr.Unreachable
		if _, err := o.Subscriber(ctx, "901700000000002"); !errors.As(err, &u) {
			t.Fatalf("register stopped: %v, want Unreachable", err)
		}
		srv.Restart()
		got, err := o.Subscriber(ctx, "901700000000002") // a new connection, the data kept
		if err != nil || got.IMSI != "901700000000002" {
			t.Fatalf("after restart: %v, %v", got, err)
		}
	})
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}

// BenchmarkOsmoProvision provisions one SIM an iteration through a real
// OsmoHLR's CTRL interface, as a sync job does for a new SIM: read its
// subscriber (absent), create it, set its MSISDN and its CS and PS access.
// SIMs a second = 1e9 / ns/op.
func BenchmarkOsmoProvision(b *testing.B) {
	hlrtest.Start(b)
	ctx := context.Background()
	o := hlr.NewOsmo(hlrtest.CtrlAddr)
	defer o.Close()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		imsi := fmt.Sprintf("9017%011d", i)
		if _, err := o.Subscriber(ctx, imsi); !errors.Is(err, hlr.ErrNotFound) {
			b.Fatal(err)
		}
		if err := o.Create(ctx, imsi); err != nil {
			b.Fatal(err)
		}
		if err := o.SetMSISDN(ctx, imsi, fmt.Sprintf("49%011d", i)); err != nil {
			b.Fatal(err)
		}
		if err := o.SetAccess(ctx, imsi, true, true); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	subs, err := o.Subscribers(ctx)
	if err != nil || len(subs) < b.N {
		b.Fatalf("listed %d subscribers, %v; want %d", len(subs), err, b.N)
	}
}
