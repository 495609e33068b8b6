// Package schema holds what the two stores share about their embedded
// migrations.
package schema

import (
	"io/fs"
	"strconv"
	"strings"
)

// Latest returns the version of the last migration in dir of fsys: the
// largest leading number of its .sql files, as goose reads it.
func Latest(fsys fs.FS, dir string) int64 {
	entries, _ := fs.ReadDir(fsys, dir)
	var last int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > last {
			last = v
		}
	}
	return last
}
