package gsm

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Encoding is how a message's content travels over the air.
type Encoding int

// Encodings. The numbers are the Kannel `coding` values.
const (
	GSM7   Encoding = 0 // GSM 03.38 default alphabet, 7 bits a character
	Binary Encoding = 1 // 8-bit data
	UCS2   Encoding = 2 // UCS-2 (UTF-16 code units), 16 bits a unit
)

// String names the encoding.
func (e Encoding) String() string {
	switch e {
	case GSM7:
		return "gsm7"
	case Binary:
		return "binary"
	case UCS2:
		return "ucs2"
	}
	return "unknown"
}

// Per-message limits of each encoding: a message that fits Single units is
// sent alone; a longer one is concatenated, each segment carrying Concat
// units beside its 6-octet concatenation header.
const (
	GSM7Single   = 160 // septets
	GSM7Concat   = 153
	UCS2Single   = 70 // UTF-16 code units
	UCS2Concat   = 67
	BinarySingle = 140 // octets
	BinaryConcat = 134
)

// gsmBasic is the GSM 03.38 default alphabet in code order; 0x1B (the
// escape to the extension table) is not a character of its own.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters of the extension table, each sent as
// the escape septet and one more: two septets.
const gsmExtension = "\f^{}\\[~]|€"

// septets maps each GSM character to its length in septets.
var septets = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		if r != 0x1B {
			m[r] = 1
		}
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Septets returns how many septets r takes in the GSM 7-bit alphabet (1,
// or 2 for a character of the extension table), and 0 when r is not in it.
func Septets(r rune) int { return septets[r] }

// IsGSM7 reports whether every character of s is in the GSM 7-bit alphabet
// (basic table or extension table).
func IsGSM7(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return false // an invalid byte, not a real U+FFFD
			}
		}
		if septets[r] == 0 {
			return false
		}
	}
	return true
}

// TextEncoding returns the encoding of a text message: GSM7 when every
// character fits, UCS2 otherwise.
func TextEncoding(s string) Encoding {
	if IsGSM7(s) {
		return GSM7
	}
	return UCS2
}

// units returns the length of the character starting s in the units of e
// (septets or UTF-16 code units) and its length in bytes. An invalid byte
// counts as one character of one unit (it is sent as U+FFFD).
func units(e Encoding, s string) (u, size int) {
	r, size := utf8.DecodeRuneInString(s)
	if e == GSM7 {
		return septets[r], size
	}
	if r >= 0x10000 {
		return 2, size // a surrogate pair, never split
	}
	return 1, size
}

// Length returns the length of text s in the units of its encoding e:
// septets for GSM7, UTF-16 code units for UCS2.
func Length(e Encoding, s string) int {
	n := 0
	for len(s) > 0 {
		u, size := units(e, s)
		n += u
		s = s[size:]
	}
	return n
}

// SplitText splits text s as a network sends it: in encoding
// TextEncoding(s), into one segment when it fits a single message, into
// segments of at most 153 septets (67 UCS-2 units) otherwise, never
// splitting an extension character's escape pair or a surrogate pair.
// The segments joined give s back. An empty s has no segments.
func SplitText(s string) (Encoding, []string) {
	e := TextEncoding(s)
	single, concat := GSM7Single, GSM7Concat
	if e == UCS2 {
		single, concat = UCS2Single, UCS2Concat
	}
	if s == "" {
		return e, nil
	}
	if Length(e, s) <= single {
		return e, []string{s}
	}
	var segs []string
	start, n := 0, 0
	for i := 0; i < len(s); {
		u, size := units(e, s[i:])
		if n+u > concat {
			segs = append(segs, s[start:i])
			start, n = i, 0
		}
		n += u
		i += size
	}
	return e, append(segs, s[start:])
}

// SplitBinary splits binary data into one segment of at most 140 octets,
// or segments of at most 134 octets. An empty b has no segments.
func SplitBinary(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	if len(b) <= BinarySingle {
		return [][]byte{b}
	}
	var segs [][]byte
	for len(b) > 0 {
		n := min(len(b), BinaryConcat)
		segs = append(segs, b[:n])
		b = b[n:]
	}
	return segs
}

// DecodeHex decodes the hex content of a binary message (either case,
// optional spaces between octets); ok is false when it is not hex.
func DecodeHex(s string) ([]byte, bool) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return nil, false
	}
	return b, true
}
