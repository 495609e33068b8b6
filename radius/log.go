package radius

import (
	"log"
	"log/slog"
)

// slogLogger adapts l to the *log.Logger layeh.com/radius logs to, at
// warning level.
func slogLogger(l *slog.Logger) *log.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}

// slogDiscard is a logger that drops everything.
func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
