package schema_test

import (
	"testing"
	"testing/fstest"

	"github.com/opencube/opencube/internal/schema"
)

func TestLatest(t *testing.T) {
	fsys := fstest.MapFS{
		"m/00001_init.sql":  {},
		"m/00010_later.sql": {},
		"m/00009_next.sql":  {},
		"m/00099_notes.txt": {},
		"m/README.sql":      {},
	}
	if got := schema.Latest(fsys, "m"); got != 10 {
		t.Errorf("Latest = %d, want 10", got)
	}
	if got := schema.Latest(fsys, "none"); got != 0 {
		t.Errorf("Latest of a missing dir = %d, want 0", got)
	}
}
