package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencube/opencube/seal"
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
