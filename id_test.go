package opencube_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
)

// TestNewUUID: RFC 9562 version 7, the variant bits, the current time in
// its first 48 bits, and ids made later sort after earlier ones.
func TestNewUUID(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 200 {
		before := time.Now().UnixMilli()
		id := opencube.NewUUID()
		after := time.Now().UnixMilli()
		if !form.MatchString(id) {
			t.Fatalf("NewUUID() = %q, not a version 7 UUID", id)
		}
		ms, err := strconv.ParseInt(strings.ReplaceAll(id[:13], "-", ""), 16, 64)
		if err != nil || ms < before || ms > after {
			t.Fatalf("NewUUID() = %q carries time %d, want between %d and %d", id, ms, before, after)
		}
		if seen[id] {
			t.Fatalf("NewUUID() repeated %q", id)
		}
		seen[id] = true
		if i%50 == 0 {
			time.Sleep(2 * time.Millisecond)
			if prev != "" && id <= prev {
				t.Errorf("id %q made after %q sorts before it", id, prev)
			}
			prev = id
		}
	}
}
