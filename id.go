package opencube

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewUUID returns a new version 7 UUID (RFC 9562): the current Unix time in
// milliseconds, then 74 random bits. It is the id of an event (the same on
// every delivery attempt of it), a job, a delivery. Being time-ordered, new
// ids are stored beside each other in an index, not on random pages.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[6:])
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
