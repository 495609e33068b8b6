package sqlite

import "time"

// SetCheckpointing sets how often the background checkpointer runs and the
// WAL length past which the writer restarts the WAL, and returns a function
// that puts them back. Databases opened after the call use them.
func SetCheckpointing(every time.Duration, restartFrames int64) (restore func()) {
	oldEvery, oldFrames := checkpointEvery, walRestartFrames
	checkpointEvery, walRestartFrames = every, restartFrames
	return func() { checkpointEvery, walRestartFrames = oldEvery, oldFrames }
}
