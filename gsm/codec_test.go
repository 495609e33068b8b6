package gsm_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube/gsm"
)

func TestSplitText(t *testing.T) {
	emoji := "😀" // a surrogate pair in UCS-2
	tests := []struct {
		name     string
		text     string
		encoding gsm.Encoding
		length   int   // septets or UCS-2 units
		segments []int // length of each segment in units
	}{
		{"empty", "", gsm.GSM7, 0, nil},
		{"plain", "hello", gsm.GSM7, 5, []int{5}},
		{"GSM 160 fits one", strings.Repeat("a", 160), gsm.GSM7, 160, []int{160}},
		{"GSM 161 takes two", strings.Repeat("a", 161), gsm.GSM7, 161, []int{153, 8}},
		{"GSM 306 takes two", strings.Repeat("a", 306), gsm.GSM7, 306, []int{153, 153}},
		{"GSM 307 takes three", strings.Repeat("a", 307), gsm.GSM7, 307, []int{153, 153, 1}},
		{"basic table accents", "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", gsm.GSM7, 42, []int{42}},
		{"euro counts two", "€", gsm.GSM7, 2, []int{2}},
		{"every extension char counts two", "\f^{}\\[~]|€", gsm.GSM7, 20, []int{20}},
		{"80 euros fit one", strings.Repeat("€", 80), gsm.GSM7, 160, []int{160}},
		{"81 euros take two", strings.Repeat("€", 81), gsm.GSM7, 162, []int{152, 10}},
		{"159 plain and one bracket take two", strings.Repeat("a", 159) + "[", gsm.GSM7, 161, []int{153, 8}},
		{"escape pair never split", strings.Repeat("a", 152) + "{" + strings.Repeat("b", 8), gsm.GSM7, 162, []int{152, 10}},
		{"Chinese is UCS-2", "你好", gsm.UCS2, 2, []int{2}},
		{"UCS-2 70 fits one", strings.Repeat("中", 70), gsm.UCS2, 70, []int{70}},
		{"UCS-2 71 takes two", strings.Repeat("中", 71), gsm.UCS2, 71, []int{67, 4}},
		{"one non-GSM char makes it UCS-2", strings.Repeat("a", 100) + "ç", gsm.UCS2, 101, []int{67, 34}},
		{"emoji counts two units", emoji, gsm.UCS2, 2, []int{2}},
		{"35 emoji fit one", strings.Repeat(emoji, 35), gsm.UCS2, 70, []int{70}},
		{"surrogate pair never split", strings.Repeat("a", 66) + emoji + "b", gsm.UCS2, 69, []int{69}},
		{"surrogate pair at the boundary", strings.Repeat("a", 66) + emoji + strings.Repeat("b", 10), gsm.UCS2, 78, []int{66, 12}},
		{"euro with Chinese is one UCS-2 unit", "€中", gsm.UCS2, 2, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, segs := gsm.SplitText(tt.text)
			if enc != tt.encoding {
				t.Errorf("encoding %v, want %v", enc, tt.encoding)
			}
			if got := gsm.Length(enc, tt.text); got != tt.length {
				t.Errorf("length %d, want %d", got, tt.length)
			}
			var lens []int
			for _, s := range segs {
				lens = append(lens, gsm.Length(enc, s))
			}
			if diff := cmp.Diff(tt.segments, lens); diff != "" {
				t.Errorf("segment lengths (-want +got):\n%s", diff)
			}
			if got := strings.Join(segs, ""); got != tt.text {
				t.Errorf("segments join to %q, want %q", got, tt.text)
			}
		})
	}
}

func TestGSMAlphabet(t *testing.T) {
	n := 0
	for r := rune(0); r < 0x10000; r++ {
		if gsm.Septets(r) == 1 {
			n++
		}
	}
	if n != 127 { // 128 codes less the escape
		t.Errorf("%d basic characters, want 127", n)
	}
	for _, r := range "€[]{}|~^\\\f" {
		if gsm.Septets(r) != 2 {
			t.Errorf("%q: %d septets, want 2", r, gsm.Septets(r))
		}
	}
	for _, r := range "`ç\x1b\t" {
		if gsm.IsGSM7(string(r)) {
			t.Errorf("%q is not GSM 7-bit", r)
		}
	}
	if gsm.IsGSM7("a\xffb") {
		t.Error("an invalid byte is not GSM 7-bit")
	}
}

func TestSplitBinary(t *testing.T) {
	tests := []struct {
		n    int
		want []int
	}{
		{0, nil}, {1, []int{1}}, {140, []int{140}}, {141, []int{134, 7}}, {268, []int{134, 134}}, {269, []int{134, 134, 1}},
	}
	for _, tt := range tests {
		b := bytes.Repeat([]byte{0xA5}, tt.n)
		var lens []int
		for _, s := range gsm.SplitBinary(b) {
			lens = append(lens, len(s))
		}
		if diff := cmp.Diff(tt.want, lens); diff != "" {
			t.Errorf("%d octets (-want +got):\n%s", tt.n, diff)
		}
	}
}

func TestDecodeHex(t *testing.T) {
	for in, want := range map[string]string{"0A0b": "\x0a\x0b", "de ad be ef": "\xde\xad\xbe\xef"} {
		got, ok := gsm.DecodeHex(in)
		if !ok || string(got) != want {
			t.Errorf("DecodeHex(%q) = %x, %v", in, got, ok)
		}
	}
	for _, in := range []string{"0", "zz", "0x01"} {
		if _, ok := gsm.DecodeHex(in); ok {
			t.Errorf("DecodeHex(%q) succeeded", in)
		}
	}
}

// FuzzSplitText: splitting never panics, the segments join to the input,
// and each respects its encoding's limits.
func FuzzSplitText(f *testing.F) {
	for _, s := range []string{"", "hello", "€[]{}", strings.Repeat("€", 81), "😀中a", strings.Repeat("a", 152) + "{", "\xff\xfe", strings.Repeat("😀", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, segs := gsm.SplitText(s)
		if got := strings.Join(segs, ""); got != s {
			t.Fatalf("segments join to %q, want %q", got, s)
		}
		single, concat := gsm.GSM7Single, gsm.GSM7Concat
		if enc == gsm.UCS2 {
			single, concat = gsm.UCS2Single, gsm.UCS2Concat
		}
		for _, seg := range segs {
			if seg == "" {
				t.Fatal("empty segment")
			}
			limit := concat
			if len(segs) == 1 {
				limit = single
			}
			if n := gsm.Length(enc, seg); n > limit {
				t.Fatalf("segment of %d units, limit %d", n, limit)
			}
			if enc == gsm.UCS2 && utf8.ValidString(s) && !utf8.ValidString(seg) {
				t.Fatalf("segment %q splits a character", seg)
			}
		}
	})
}

// FuzzSplitBinary: binary segments join to the input within the limits.
func FuzzSplitBinary(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{1}, 300))
	f.Fuzz(func(t *testing.T, b []byte) {
		segs := gsm.SplitBinary(b)
		if got := bytes.Join(segs, nil); !bytes.Equal(got, b) {
			t.Fatal("segments do not join to the input")
		}
		for _, s := range segs {
			if len(s) > gsm.BinarySingle || (len(segs) > 1 && len(s) > gsm.BinaryConcat) {
				t.Fatalf("segment of %d octets", len(s))
			}
		}
	})
}
