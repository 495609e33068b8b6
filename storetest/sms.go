package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// testSMS covers the SMSStore and SMSTx methods: insert and read back,
// save, the day count, finding a SIM by number, the filters and pages of
// FindSMS, and that UpdateSMS commits all or nothing.
func testSMS(t *testing.T, open func(*testing.T) service.Store) {
	f := seed(t, open(t), true)
	s := f.s
	upd := func(fn func(tx opencube.SMSTx) error) {
		t.Helper()
		if err := s.UpdateSMS(f.ctx, fn); err != nil {
			t.Fatalf("UpdateSMS: %v", err)
		}
	}
	utc := func(d time.Duration) time.Time { return at(d).UTC() }
	ptr := func(t time.Time) *time.Time { return &t }
	newSMS := func(id string, sim *opencube.SIM, dir opencube.SMSDirection, created time.Duration) *opencube.SMS {
		return &opencube.SMS{
			ID: id, EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID, MSISDN: sim.MSISDN, Direction: dir,
			Type: opencube.SMSText, Content: "hello €", Encoding: "gsm7", Segments: 1, State: opencube.SMSQueued,
			CreatedAt: utc(created), UpdatedAt: utc(created),
		}
	}
	m1 := newSMS("SMS_1", f.sims[1], opencube.SMSMT, 0)
	m2 := newSMS("SMS_2", f.sims[1], opencube.SMSMT, time.Hour)
	m2.Type, m2.Content, m2.Encoding, m2.Segments = opencube.SMSBinary, "deadbeef", "binary", 1
	m3 := newSMS("SMS_3", f.sims[1], opencube.SMSMO, 2*time.Hour)
	m3.State, m3.DeliveredAt = opencube.SMSDelivered, ptr(utc(2*time.Hour))
	m4 := newSMS("SMS_4", f.sims[2], opencube.SMSMT, 3*time.Hour)
	m6 := newSMS("SMS_6", f.sims[6], opencube.SMSMT, 4*time.Hour) // enterprise B
	upd(func(tx opencube.SMSTx) error {
		for _, m := range []*opencube.SMS{m1, m2, m3, m4, m6} {
			if err := tx.InsertSMS(f.ctx, m); err != nil {
				return err
			}
		}
		return nil
	})

	// Reads in a transaction, and errors.
	upd(func(tx opencube.SMSTx) error {
		got, err := tx.SMSByID(f.ctx, "SMS_2")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(m2, got); diff != "" {
			t.Errorf("SMSByID round trip (-want +got):\n%s", diff)
		}
		_, err = tx.SMSByID(f.ctx, "SMS_404")
		checkKind(t, "SMSByID(unknown)", err, opencube.KindSMSNotFound, true)
		err = tx.InsertSMS(f.ctx, newSMS("SMS_1", f.sims[1], opencube.SMSMT, 0))
		checkKind(t, "InsertSMS(duplicate)", err, opencube.KindConflict, true)
		err = tx.SaveSMS(f.ctx, newSMS("SMS_404", f.sims[1], opencube.SMSMT, 0))
		checkKind(t, "SaveSMS(unknown)", err, opencube.KindSMSNotFound, true)

		// The day count: MT only, from since.
		for _, c := range []struct {
			iccid string
			since time.Time
			want  int
		}{{f.sims[1].ICCID, utc(0), 2}, {f.sims[1].ICCID, utc(time.Minute), 1}, {f.sims[2].ICCID, utc(0), 1}, {f.sims[3].ICCID, utc(0), 0}} {
			if n, err := tx.CountSMS(f.ctx, c.iccid, c.since); err != nil || n != c.want {
				t.Errorf("CountSMS(%s, %v) = %d, %v; want %d", c.iccid, c.since, n, err, c.want)
			}
		}

		// SIMs by ICCID or MSISDN, of any enterprise.
		for _, number := range []string{f.sims[6].ICCID, f.sims[6].MSISDN} {
			if sim, err := tx.SIMByNumber(f.ctx, number); err != nil || sim.ICCID != f.sims[6].ICCID {
				t.Errorf("SIMByNumber(%s) = %+v, %v", number, sim, err)
			}
		}
		_, err = tx.SIMByNumber(f.ctx, "000")
		checkKind(t, "SIMByNumber(unknown)", err, opencube.KindDeviceNotFound, true)
		return nil
	})

	// Save moves state and times.
	m1.State, m1.GatewayID, m1.Attempts, m1.Error = opencube.SMSDelivered, "gw-1", 2, "first try failed"
	m1.SentAt, m1.DeliveredAt, m1.UpdatedAt = ptr(utc(time.Second)), ptr(utc(2*time.Second)), utc(2*time.Second)
	m4.SubmittingAt, m4.State, m4.ExpiredAt, m4.UpdatedAt = ptr(utc(3*time.Hour)), opencube.SMSExpired, ptr(utc(5*time.Hour)), utc(5*time.Hour)
	upd(func(tx opencube.SMSTx) error {
		if err := tx.SaveSMS(f.ctx, m1); err != nil {
			return err
		}
		return tx.SaveSMS(f.ctx, m4)
	})

	// A failing transaction leaves nothing behind.
	boom := errors.New("boom")
	err := s.UpdateSMS(f.ctx, func(tx opencube.SMSTx) error {
		if err := tx.InsertSMS(f.ctx, newSMS("SMS_9", f.sims[1], opencube.SMSMT, 0)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("UpdateSMS rolled back with %v, want boom", err)
	}

	ids := func(ms []*opencube.SMS) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		f     opencube.SMSFilter
		want  []string
		total int
	}{
		{"all of A, newest first", opencube.SMSFilter{Enterprise: entA}, []string{"SMS_4", "SMS_3", "SMS_2", "SMS_1"}, 4},
		{"B", opencube.SMSFilter{Enterprise: entB}, []string{"SMS_6"}, 1},
		{"SIM", opencube.SMSFilter{Enterprise: entA, ICCID: f.sims[1].ICCID}, []string{"SMS_3", "SMS_2", "SMS_1"}, 3},
		{"another enterprise's SIM", opencube.SMSFilter{Enterprise: entA, ICCID: f.sims[6].ICCID}, []string{}, 0},
		{"MO", opencube.SMSFilter{Enterprise: entA, Direction: opencube.SMSMO}, []string{"SMS_3"}, 1},
		{"delivered", opencube.SMSFilter{Enterprise: entA, State: opencube.SMSDelivered}, []string{"SMS_3", "SMS_1"}, 2},
		{"time range", opencube.SMSFilter{Enterprise: entA, Since: utc(time.Hour), Until: utc(3 * time.Hour)}, []string{"SMS_3", "SMS_2"}, 2},
		{"page 2 of 3", opencube.SMSFilter{Enterprise: entA, Page: opencube.PageOf(2, 3)}, []string{"SMS_1"}, 4},
		{"page 1 of 2", opencube.SMSFilter{Enterprise: entA, Page: opencube.PageOf(1, 2)}, []string{"SMS_4", "SMS_3"}, 4},
	} {
		got, total, err := s.FindSMS(f.ctx, c.f)
		if err != nil {
			t.Errorf("%s: FindSMS: %v", c.name, err)
			continue
		}
		if diff := cmp.Diff(c.want, ids(got)); diff != "" || total != c.total {
			t.Errorf("%s: total %d, want %d; ids (-want +got):\n%s", c.name, total, c.total, diff)
		}
	}
	got, _, err := s.FindSMS(f.ctx, opencube.SMSFilter{Enterprise: entA, ICCID: f.sims[2].ICCID})
	if err != nil || len(got) != 1 {
		t.Fatalf("FindSMS(SIM 2) = %v, %v", got, err)
	}
	if diff := cmp.Diff(m4, got[0]); diff != "" {
		t.Errorf("saved SMS (-want +got):\n%s", diff)
	}
	got, _, _ = s.FindSMS(f.ctx, opencube.SMSFilter{Enterprise: entA, State: opencube.SMSDelivered, Direction: opencube.SMSMT})
	if len(got) != 1 || cmp.Diff(m1, got[0]) != "" {
		t.Errorf("saved SMS 1 (-want +got):\n%s", cmp.Diff([]*opencube.SMS{m1}, got))
	}
}
