package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// keyFile writes keys to a key file, one a line, and returns its path.
func keyFile(t *testing.T, keys ...seal.Key) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# master keys: the first seals\n")
	for _, k := range keys {
		b.WriteString(k.String() + "\n")
	}
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newMasterKey returns a new random master key.
func newMasterKey(t *testing.T) seal.Key {
	t.Helper()
	k, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// masters is the Masters of keys.
func masters(keys ...seal.Key) seal.Masters { return seal.Masters{Keys: keys} }

// atRest returns what the database db holds at rest: the SQLite file and
// its WAL, or a pg_dump of the test's PostgreSQL schema.
func atRest(t *testing.T, db string) string {
	t.Helper()
	if !isPostgres(db) {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-journal"} {
			b, err := os.ReadFile(db + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return string(all)
	}
	if _, err := exec.LookPath("pg_dump"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pg_dump is missing (postgresql-client; scripts/test installs it)")
		}
		t.Skip("pg_dump is missing (postgresql-client)")
	}
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command("pg_dump", "--schema", schema, "--dbname", u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return string(out)
}

// rawExec runs a statement on the database db beside the store, as an
// older version or an intruder would: ? placeholders, $n on PostgreSQL.
func rawExec(t *testing.T, db, query string, args ...any) {
	t.Helper()
	if !isPostgres(db) {
		conn, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(t.Context(), query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return
	}
	for i := 1; strings.Contains(query, "?"); i++ {
		query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
	}
	conn, err := pgx.Connect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// sealedWorld is what TestSecretsSealedAtRest and TestMigrateSealsClearDatabase
// store: every kind of secret, with known values.
type sealedWorld struct {
	entSecret, webhookSecret, oldWebhookSecret, v4WebhookSecret, notificationKey, ki, opc string
}

const (
	sealedEnt  = "P000999"
	sealedSIM  = "89852000000000000999"
	sealedName = "Sealed Enterprise Ltd"
)

// storeSecrets stores a secret of each kind through the admin API.
func storeSecrets(t *testing.T, s *e2eServer) sealedWorld {
	t.Helper()
	ctx := t.Context()
	ad := s.admin()
	w := sealedWorld{entSecret: "known-enterprise-secret-0a1b2c", ki: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", opc: "a0b1c2d3e4f5061728394a5b6c7d8e9f"}
	if err := ad.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: sealedEnt, Name: sealedName, Secrets: []string{w.entSecret}}); err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	wp, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	w.oldWebhookSecret = wp.Secret
	rotated, err := ad.RotateWebhookSecret(ctx, entP, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w.webhookSecret = rotated.Secret
	wq, err := ad.PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entQ, URL: hook.URL, Format: opencube.WebhookV4})
	if err != nil {
		t.Fatal(err)
	}
	w.notificationKey, w.v4WebhookSecret = wq.NotificationKey, wq.Secret
	if w.oldWebhookSecret == "" || w.webhookSecret == "" || w.notificationKey == "" {
		t.Fatalf("secrets not shown at creation: %+v", w)
	}
	err = ad.ImportSIMs(ctx, []*opencube.SIM{{ICCID: sealedSIM, IMSI: "454000000000999", MSISDN: "85200000999",
		EnterpriseCode: sealedEnt, Status: opencube.SIMActive, Auth: &opencube.SIMAuth{Ki: w.ki, OPc: w.opc}}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// clear lists the secrets of w, and the demo enterprises' secret.
func (w sealedWorld) clear() []string {
	return []string{w.entSecret, w.webhookSecret, w.oldWebhookSecret, w.v4WebhookSecret, w.notificationKey, w.ki, w.opc, service.DemoSecret}
}

// checkSecrets checks that the server s reads back every secret of w: signed
// requests verify with the enterprise secrets, the webhook secrets, the
// notification key and the SIM's authentication data are what was stored.
func checkSecrets(t *testing.T, s *e2eServer, w sealedWorld) {
	t.Helper()
	ctx := t.Context()
	s.ok(t, s.client(sealedEnt, w.entSecret), "/device/queryDeviceInfo", map[string]any{"device_id": sealedSIM})
	s.ok(t, s.client(entP, service.DemoSecret), "/package/queryPackage", nil)
	s.ok(t, s.client(entQ, service.DemoSecret), "/package/queryPackage", nil)
	wantCode(t, s.do(t, s.client(sealedEnt, "not-the-secret"), "/device/queryDeviceInfo", map[string]any{"device_id": sealedSIM}, nil), csss.CodeSignature)
	wp, err := s.m.Store.FindWebhook(ctx, entP)
	if err != nil || wp.Secret != w.webhookSecret || wp.OldSecret != w.oldWebhookSecret {
		t.Errorf("webhook of %s: %+v, %v; want secret %q, old %q", entP, wp, err, w.webhookSecret, w.oldWebhookSecret)
	}
	wq, err := s.m.Store.FindWebhook(ctx, entQ)
	if err != nil || wq.NotificationKey != w.notificationKey {
		t.Errorf("webhook of %s: %+v, %v; want notification key %q", entQ, wq, err, w.notificationKey)
	}
	a, err := s.m.Store.SIMAuth(ctx, sealedSIM)
	if err != nil || a == nil || a.Ki != w.ki || a.OPc != w.opc {
		t.Errorf("SIM auth %+v, %v; want ki %s, opc %s", a, err, w.ki, w.opc)
	}
}

// wantSealed checks that the database db holds none of secrets in clear,
// and does hold what is not secret.
func wantSealed(t *testing.T, db string, secrets []string) {
	t.Helper()
	dump := atRest(t, db)
	if !strings.Contains(dump, sealedName) || !strings.Contains(dump, sealedSIM) || !strings.Contains(dump, seal.Prefix) {
		t.Fatalf("the database at rest lacks %q, %q or sealed values: not the right dump", sealedName, sealedSIM)
	}
	for _, s := range secrets {
		if strings.Contains(dump, s) {
			t.Errorf("the database at rest holds the secret %q in clear", s)
		}
	}
}

func TestSecretsSealedAtRest(t *testing.T) {
	db := e2eDatabase(t)
	key := newMasterKey(t)
	s, stop := startStoppable(t, db, &e2eClock{now: clockStart}, func(m *Main) {
		m.AdminToken, m.Masters = "t", masters(key)
	})
	w := storeSecrets(t, s)
	checkSecrets(t, s, w)
	// No API shows the SIM's authentication data.
	sim, err := s.admin().SIM(t.Context(), sealedSIM)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(sim); strings.Contains(string(b), w.ki) || strings.Contains(string(b), w.opc) {
		t.Errorf("the admin API shows the SIM's authentication data: %s", b)
	}
	stop()
	wantSealed(t, db, w.clear())
}

func TestMasterKeyRefusals(t *testing.T) {
	t.Setenv(masterKeyEnv, "")
	db := e2eDatabase(t)

	m := NewMain()
	m.Addr, m.DB, m.Stderr, m.SMS.Gateway = "127.0.0.1:0", db, io.Discard, "sandbox"
	err := m.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "opencube keygen") || !strings.Contains(err.Error(), "--master-key-file") {
		t.Fatalf("a server without a master key: %v; want a refusal saying how to make one", err)
	}
	m.Close()

	// A --demo server without one uses the published demo key, and says so.
	var logs syncBuffer
	m = NewMain()
	m.Addr, m.DB, m.Demo, m.Stderr, m.JobInterval = "127.0.0.1:0", db, true, &logs, 0
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("a --demo server without a master key: %v", err)
	}
	closeMain(t, m)
	if !strings.Contains(logs.String(), "published demo key") || !strings.Contains(logs.String(), "never in production") {
		t.Errorf("the demo server did not say it uses the demo key:\n%s", logs.String())
	}

	// That database is now sealed under the demo key: another refuses to open it.
	other := newMasterKey(t)
	m = NewMain()
	m.Addr, m.DB, m.Stderr, m.MasterKeyFile, m.SMS.Gateway = "127.0.0.1:0", db, io.Discard, keyFile(t, other), "sandbox"
	err = m.Run(t.Context())
	m.Close()
	if !errors.Is(err, seal.ErrWrongMasterKey) || !strings.Contains(err.Error(), "wrong master key") || !strings.Contains(err.Error(), seal.DemoKey.Check()) {
		t.Fatalf("a server with the wrong master key: %v; want a refusal naming the key check values", err)
	}
	// The environment variable gives keys too; a list holding the right
	// one opens, whatever its place.
	t.Setenv(masterKeyEnv, other.String()+","+seal.DemoKey.String())
	m = NewMain()
	m.Addr, m.DB, m.Stderr, m.JobInterval, m.SMS.Gateway = "127.0.0.1:0", db, io.Discard, 0, "sandbox"
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("a server given [other, demo] in %s: %v", masterKeyEnv, err)
	}
	closeMain(t, m)
}

// TestRotateMasterKeysUnderLoad: the master key is rotated, on the database,
// while the server verifies signed requests (each one opening its
// enterprise's sealed secret) and stores new secrets; nothing is lost: every
// request verifies, and every secret opens under the new key alone.
func TestRotateMasterKeysUnderLoad(t *testing.T) {
	db := e2eDatabase(t)
	old, next := newMasterKey(t), newMasterKey(t)
	clock := &e2eClock{now: clockStart}
	s, stop := startStoppable(t, db, clock, func(m *Main) { m.AdminToken, m.Masters = "t", masters(old) })
	w := storeSecrets(t, s)
	s.m.CSSS.EnterpriseTTL = 0 // every request reads its enterprise's secrets from the database

	ctx := t.Context()
	var (
		wg       sync.WaitGroup
		done     = make(chan struct{})
		requests atomic.Int64
		failures = make(chan string, 100)
		mu       sync.Mutex
		created  = map[string]string{} // access code: secret
	)
	fail := func(format string, args ...any) {
		select {
		case failures <- fmt.Sprintf(format, args...):
		default:
		}
	}
	for i := range 3 { // signed requests of the enterprises
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.client([]string{entP, entQ, sealedEnt}[i], []string{service.DemoSecret, service.DemoSecret, w.entSecret}[i])
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				clock.Advance(time.Millisecond)
				resp, err := c.Do(ctx, "/package/queryPackage", map[string]any{"n": n}, nil)
				requests.Add(1)
				if err != nil || resp.Code != csss.CodeOK {
					fail("request %d of client %d: %v %+v", n, i, err, resp)
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // new enterprises, their secrets sealed as the keys rotate
		defer wg.Done()
		ad := s.admin()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			default:
			}
			code, secret := fmt.Sprintf("R%06d", n), fmt.Sprintf("rotation-secret-%06d", n)
			if err := ad.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: code, Name: "Rotation", Secrets: []string{secret}}); err != nil {
				fail("create %s: %v", code, err)
				continue
			}
			mu.Lock()
			created[code] = secret
			mu.Unlock()
		}
	}()

	// Every node is given [next, old]; the database's data keys are
	// re-sealed under next, on the database, a few times over.
	both := keyFile(t, next, old)
	for range 3 {
		out, errOut, err := runCLI(t, "", "admin", "keys", "rotate", "--db", db, "--master-key-file", both)
		if err != nil {
			t.Fatalf("keys rotate: %v (%s)", err, errOut)
		}
		if !strings.Contains(out, next.Check()) || !strings.Contains(out, "still sealed under "+old.Check()) {
			t.Errorf("keys rotate said %q", out)
		}
		time.Sleep(50 * time.Millisecond) // the load runs on between rotations
	}
	close(done)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if requests.Load() == 0 || len(created) == 0 {
		t.Fatalf("no load: %d requests, %d enterprises", requests.Load(), len(created))
	}
	stop()

	// The new key alone opens everything, including what was sealed during
	// the rotation; a node still given only the old key opens too.
	for name, keys := range map[string][]seal.Key{"new key": {next}, "old key": {old}} {
		s, stop := startStoppable(t, db, clock, func(m *Main) { m.AdminToken, m.Masters = "t", masters(keys...) })
		checkSecrets(t, s, w)
		for code, secret := range created {
			s.ok(t, s.client(code, secret), "/package/queryPackage", nil)
		}
		stop()
		if t.Failed() {
			t.Fatalf("with the %s", name)
		}
	}
	// Rotating with the new key alone retires the old one.
	if _, errOut, err := runCLI(t, "", "admin", "keys", "rotate", "--db", db, "--master-key-file", keyFile(t, next)); err != nil {
		t.Fatalf("keys rotate: %v (%s)", err, errOut)
	}
	m := NewMain()
	m.Addr, m.DB, m.Stderr, m.Masters, m.SMS.Gateway = "127.0.0.1:0", db, io.Discard, masters(old), "sandbox"
	err := m.Run(ctx)
	m.Close()
	if !errors.Is(err, seal.ErrWrongMasterKey) {
		t.Fatalf("a server given the retired key: %v; want the wrong master key", err)
	}
	wantSealed(t, db, append(w.clear(), "rotation-secret-"))
}

// TestMigrateSealsClearDatabase: a database of a version that stored its
// secrets in clear is sealed by migrate, in batches; an interrupted run
// leaves a database the server reads, and the next run carries on.
func TestMigrateSealsClearDatabase(t *testing.T) {
	db := e2eDatabase(t)
	key := newMasterKey(t)
	clock := &e2eClock{now: clockStart}
	s, stop := startStoppable(t, db, clock, func(m *Main) { m.AdminToken, m.Masters = "t", masters(key) })
	w := storeSecrets(t, s)
	stop()

	// Back to what an older version stored: every secret in clear, no data key.
	list := func(l ...string) any {
		if isPostgres(db) {
			return l
		}
		b, _ := json.Marshal(l)
		return string(b)
	}
	rawExec(t, db, `UPDATE enterprises SET secrets = ? WHERE access_code IN (?, ?)`, list(service.DemoSecret), entP, entQ)
	rawExec(t, db, `UPDATE enterprises SET secrets = ? WHERE access_code = ?`, list(w.entSecret), sealedEnt)
	rawExec(t, db, `UPDATE webhooks SET secret = ?, old_secret = ? WHERE enterprise_code = ?`, w.webhookSecret, w.oldWebhookSecret, entP)
	rawExec(t, db, `UPDATE webhooks SET secret = ?, v4_key = ? WHERE enterprise_code = ?`, w.v4WebhookSecret, w.notificationKey, entQ)
	rawExec(t, db, `UPDATE sim_auth SET ki = ?, opc = ? WHERE iccid = ?`, w.ki, w.opc, sealedSIM)
	rawExec(t, db, `DELETE FROM data_keys`)

	// Without the master key, migrate refuses: it would have nothing to seal with.
	if _, _, err := runCLI(t, "", "migrate", "--db", db); err == nil || !strings.Contains(err.Error(), "opencube keygen") {
		t.Fatalf("migrate without a master key: %v", err)
	}
	// An interrupted migrate: one batch of one row, committed.
	store, err := openStore(t.Context(), db, dbOptions{}, masters(key))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := store.SealClear(t.Context(), 1); n != 1 || err != nil {
		t.Fatalf("SealClear = %d, %v; want 1 row", n, err)
	}
	store.Close()
	if dump := atRest(t, db); !strings.Contains(dump, w.ki) || !strings.Contains(dump, seal.Prefix) {
		t.Fatal("after one batch, the database is not half sealed")
	}
	// The server reads a half-sealed database.
	s, stop = startStoppable(t, db, clock, func(m *Main) { m.AdminToken, m.Masters = "t", masters(key) })
	checkSecrets(t, s, w)
	stop()

	keys := keyFile(t, key)
	out, errOut, err := runCLI(t, "", "migrate", "--db", db, "--master-key-file", keys, "--seal-batch", "2")
	if err != nil {
		t.Fatalf("migrate: %v (%s)", err, errOut)
	}
	if !strings.Contains(out, "sealed the secrets of 5 rows") || !strings.Contains(out, "is up to date") {
		t.Errorf("migrate said %q; want 5 rows sealed (2 enterprises, 2 webhooks, 1 SIM)", out)
	}
	wantSealed(t, db, w.clear())
	if out, _, err := runCLI(t, "", "migrate", "--db", db, "--master-key-file", keys); err != nil || strings.Contains(out, "sealed") {
		t.Errorf("migrate of a sealed database: %q, %v; want nothing sealed", out, err)
	}
	s, stop = startStoppable(t, db, clock, func(m *Main) { m.AdminToken, m.Masters = "t", masters(key) })
	checkSecrets(t, s, w)
	stop()
}

func TestKeygen(t *testing.T) {
	var keys []seal.Key
	for range 2 {
		out, errOut, err := runCLI(t, "", "keygen")
		if err != nil || errOut != "" {
			t.Fatalf("keygen: %v (%s)", err, errOut)
		}
		k, err := seal.ParseKey(out)
		if err != nil || !strings.HasSuffix(out, "=\n") || strings.Count(out, "\n") != 1 {
			t.Fatalf("keygen printed %q: %v; want one Base64 key of 32 bytes", out, err)
		}
		keys = append(keys, k)
	}
	if keys[0] == keys[1] {
		t.Error("keygen printed the same key twice")
	}
	// The key file given by its variable, as a service's environment file does.
	t.Setenv(envName(keyFileFlag), keyFile(t, keys[1], keys[0]))
	m := NewMain()
	if err := m.ParseFlags([]string{"--sms-gateway", "sandbox"}); err != nil {
		t.Fatal(err)
	}
	got, _, err := serverMasters(m.MasterKeyFile, false)
	if err != nil || len(got.Keys) != 2 || got.Keys[0] != keys[1] {
		t.Fatalf("keys of OPENCUBE_MASTER_KEY_FILE: %v, %v", got, err)
	}
}
