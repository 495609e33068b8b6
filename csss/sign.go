package csss

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Request signing (D3, docs/signing.md).
//
// The canonical form of a body is built from a small JSON parse tree rather
// than from encoding/json values: number literals must survive byte for byte
// ("10.0" stays "10.0"), and the request hot path should not pay for
// reflection or maps. The parser keeps every node in a few flat slices that
// are reused through a sync.Pool, so Verify allocates nothing in the common
// case.
//
// Rules, in the order they are applied to each object, innermost first:
//   - duplicate keys: the last one wins;
//   - members whose value is null, "", [] or {} are dropped, where an object
//     counts as empty after its own members were cleaned (so cleaning can
//     empty an object and drop it from its parent);
//   - the key "sign" is dropped from the top-level object only;
//   - keys are sorted byte-wise (UTF-8 order, which is code point order).
//
// Arrays keep all their elements, in order: objects inside them are cleaned
// like any other object, but no element is ever removed (so [{"a":""}]
// becomes [{}], and [null] stays [null]).
//
// Output is compact JSON. Strings escape only '"', '\\' and control
// characters below U+0020 (\b \f \n \r \t, otherwise \u00xx in lowercase);
// '/', '<', '>', '&', U+2028 and U+2029 and all other non-ASCII text are
// written as raw UTF-8. Invalid UTF-8 in the body and lone UTF-16 surrogates
// in \u escapes are replaced with U+FFFD, as encoding/json does.

// maxCanonDepth bounds nesting, like encoding/json does.
const maxCanonDepth = 10000

// maxPooledBody is the largest body whose parser buffers are kept for reuse.
const maxPooledBody = 64 << 10

var (
	errCanonNotObject = errors.New("csss: request body is not a JSON object")
	errCanonTooDeep   = errors.New("csss: request body nests JSON deeper than 10000 levels")
)

// canonSyntaxError reports malformed JSON in a request body.
type canonSyntaxError struct {
	msg    string
	offset int
}

func (e *canonSyntaxError) Error() string {
	return "csss: request body is not valid JSON: " + e.msg + " at offset " + strconv.Itoa(e.offset)
}

type canonKind uint8

const (
	canonNull canonKind = iota
	canonFalse
	canonTrue
	canonNumber
	canonString
	canonArray
	canonObject
)

// canonNode is one JSON value. text holds a string's decoded UTF-8 or a
// number's literal; lo:hi index canonParser.elems (array) or
// canonParser.members (object).
type canonNode struct {
	kind   canonKind
	text   []byte
	lo, hi int32
}

type canonMember struct {
	key []byte
	val canonNode
}

// memberOrder is a member's place in the sort of its object's keys: the
// key's first eight bytes, big-endian and zero-padded, which decide most
// comparisons, and its index among the object's members in the order they
// appeared, which decides between equal keys (the last one wins).
type memberOrder struct {
	prefix uint64
	i      int32
}

// canonForm selects one of the three serialisations accepted by Verify.
type canonForm uint8

const (
	formPrimary     canonForm = iota // raw UTF-8, scalars keep their type
	formASCII                        // non-ASCII as lowercase \uXXXX
	formStringified                  // numbers and booleans as strings
)

type canonParser struct {
	in  []byte
	pos int

	strs    []byte        // decoded text of strings that had escapes
	mstack  []canonMember // members of the objects being parsed
	members []canonMember // members of finished objects
	estack  []canonNode   // elements of the arrays being parsed
	elems   []canonNode   // elements of finished arrays
	order   []memberOrder // the sort of one object's members
	out     []byte        // Verify's scratch: 64 bytes of HMAC pad, then the content

	nonASCII bool // some string had a byte >= 0x80: formASCII may differ
	scalars  bool // some number or boolean was seen: formStringified may differ

	sign canonNode // the top-level "sign" member (the last one), dropped from the tree
}

var canonParsers = sync.Pool{New: func() any { return new(canonParser) }}

func getCanonParser() *canonParser { return canonParsers.Get().(*canonParser) }

func putCanonParser(p *canonParser) {
	if len(p.in) > maxPooledBody || cap(p.out) > 2*maxPooledBody {
		return // let the GC have big buffers back
	}
	p.in = nil
	canonParsers.Put(p)
}

// Canonical returns the canonical sign content of a JSON request body (D3
// rules C1-C8): `sign` dropped at top level only, null and "" values
// dropped, objects left empty by cleaning dropped (and empty arrays/objects
// dropped), keys sorted byte-wise, recursion into objects and into objects
// inside arrays, compact JSON, number literals written exactly as they
// appeared, raw UTF-8, no HTML escaping, `/` unescaped, U+2028/U+2029 raw.
// Returns an error if body is not a JSON object.
func Canonical(body []byte) ([]byte, error) {
	p := getCanonParser()
	defer putCanonParser(p)
	root, err := p.parse(body)
	if err != nil {
		return nil, err
	}
	return p.appendNode(make([]byte, 0, len(body)), root, formPrimary), nil
}

// CanonicalForms returns the primary canonical form and the two fallback
// forms accepted by verification: non-ASCII escaped as lowercase \uXXXX
// (surrogate pairs for astral chars), and every scalar (number, bool)
// stringified.
func CanonicalForms(body []byte) (primary, asciiEscaped, stringified []byte, err error) {
	p := getCanonParser()
	defer putCanonParser(p)
	root, err := p.parse(body)
	if err != nil {
		return nil, nil, nil, err
	}
	primary = p.appendNode(make([]byte, 0, len(body)), root, formPrimary)
	asciiEscaped = p.appendNode(make([]byte, 0, len(primary)+len(primary)/2), root, formASCII)
	stringified = p.appendNode(make([]byte, 0, len(primary)+16), root, formStringified)
	return primary, asciiEscaped, stringified, nil
}

// Sign returns standard Base64 of HMAC-SHA1(content, secret).
func Sign(content []byte, secret string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(content)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signLen is the length of a Base64 HMAC-SHA1: 28 characters.
var signLen = base64.StdEncoding.EncodedLen(sha1.Size)

// Verify reports whether sign matches any canonical form of body under any
// of the secrets, comparing in constant time; it returns the index of the
// secret that matched.
//
// The sign must be exactly the standard padded Base64 text of the MAC: a
// different spelling of the same bytes is rejected, so that a sign
// identifies its request (D5 remembers requests by sign). Fallback forms are
// tried only when the primary form matches none of the secrets, and only if
// they differ from it.
func Verify(body []byte, sign string, secrets []string) (int, bool) {
	if len(sign) != signLen || len(secrets) == 0 {
		return -1, false
	}
	p := getCanonParser()
	defer putCanonParser(p)
	root, err := p.parse(body)
	if err != nil {
		return -1, false
	}
	return p.verify(root, sign, secrets)
}

// verify is Verify over a body p has parsed into root.
func (p *canonParser) verify(root canonNode, sign string, secrets []string) (int, bool) {
	if len(sign) != signLen || len(secrets) == 0 {
		return -1, false
	}
	var want [28]byte
	copy(want[:], sign)
	for _, f := range [...]canonForm{formPrimary, formASCII, formStringified} {
		if f == formASCII && !p.nonASCII || f == formStringified && !p.scalars {
			continue // same bytes as the primary form
		}
		if cap(p.out) < sha1.BlockSize {
			p.out = make([]byte, sha1.BlockSize, sha1.BlockSize+len(p.in)+len(p.in)/2)
		}
		p.out = p.appendNode(p.out[:sha1.BlockSize], root, f)
		if i := matchSign(p.out, &want, secrets); i >= 0 {
			return i, true
		}
	}
	return -1, false
}

// rootText returns the top-level member name of a body p has parsed into
// root as a request field reads (params.str): a string's text, a number's
// literal, "" for anything else or nothing. Its value must not be kept
// past the parser's release.
func (p *canonParser) rootText(root canonNode, name string) []byte {
	ms := p.members[root.lo:root.hi]
	i, found := slices.BinarySearchFunc(ms, name, func(m canonMember, name string) int { return bytes.Compare(m.key, []byte(name)) })
	if !found {
		return nil
	}
	return scalarText(ms[i].val)
}

// scalarText is a string's text or a number's literal; nil for other
// values.
func scalarText(n canonNode) []byte {
	if n.kind == canonString || n.kind == canonNumber {
		return n.text
	}
	return nil
}

// matchSign returns the index of the first secret whose sign over
// buf[sha1.BlockSize:] equals want, or -1. It tries every secret whatever
// the outcome. buf's first sha1.BlockSize bytes are scratch space.
func matchSign(buf []byte, want *[28]byte, secrets []string) int {
	match := -1
	for i, secret := range secrets {
		var mac [sha1.Size]byte
		var got [28]byte
		hmacSHA1(&mac, buf, secret)
		base64.StdEncoding.Encode(got[:], mac[:])
		if subtle.ConstantTimeCompare(got[:], want[:]) == 1 && match < 0 {
			match = i
		}
	}
	return match
}

// hmacSHA1 computes HMAC-SHA1 of buf[sha1.BlockSize:] under key without
// allocating: it writes the inner pad into buf[:sha1.BlockSize] so the inner
// hash is a single sha1.Sum. (Sign uses crypto/hmac; the tests check that
// both agree on every vector.)
func hmacSHA1(dst *[sha1.Size]byte, buf []byte, key string) {
	var k [sha1.BlockSize]byte
	if len(key) > sha1.BlockSize {
		h := sha1.Sum([]byte(key))
		copy(k[:], h[:])
	} else {
		copy(k[:], key)
	}
	for i, b := range k {
		buf[i] = b ^ 0x36
	}
	inner := sha1.Sum(buf)
	var outer [sha1.BlockSize + sha1.Size]byte
	for i, b := range k {
		outer[i] = b ^ 0x5c
	}
	copy(outer[sha1.BlockSize:], inner[:])
	*dst = sha1.Sum(outer[:])
}

// SignValue returns the sign of a Go value as a response `data.sign` (D8):
// the value is marshalled to JSON without HTML escaping, then canonicalised
// (its own top-level "sign" key dropped) and signed.
func SignValue(v any, secret string) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	content, err := Canonical(buf.Bytes())
	if err != nil {
		return "", err
	}
	return Sign(content, secret), nil
}

// parse parses a whole body, which must be one JSON object, and returns its
// cleaned tree.
func (p *canonParser) parse(in []byte) (canonNode, error) {
	p.in, p.pos = in, 0
	p.strs = p.strs[:0]
	p.mstack = p.mstack[:0]
	p.members = p.members[:0]
	p.estack = p.estack[:0]
	p.elems = p.elems[:0]
	p.nonASCII, p.scalars = false, false
	p.sign = canonNode{}

	p.skipSpace()
	if p.pos >= len(in) || in[p.pos] != '{' {
		return canonNode{}, errCanonNotObject
	}
	root, err := p.object(1, true)
	if err != nil {
		return canonNode{}, err
	}
	p.skipSpace()
	if p.pos != len(in) {
		return canonNode{}, p.syntax("data after the top-level object")
	}
	return root, nil
}

func (p *canonParser) syntax(msg string) error {
	if p.pos >= len(p.in) {
		msg = "unexpected end of input"
	}
	return &canonSyntaxError{msg: msg, offset: p.pos}
}

func (p *canonParser) skipSpace() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *canonParser) value(depth int) (canonNode, error) {
	if p.pos >= len(p.in) {
		return canonNode{}, p.syntax("")
	}
	switch c := p.in[p.pos]; {
	case c == '"':
		s, err := p.str()
		return canonNode{kind: canonString, text: s}, err
	case c == '{':
		return p.object(depth+1, false)
	case c == '[':
		return p.array(depth + 1)
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", canonTrue)
	case c == 'f':
		return p.literal("false", canonFalse)
	case c == 'n':
		return p.literal("null", canonNull)
	}
	return canonNode{}, p.syntax("invalid character")
}

func (p *canonParser) literal(word string, kind canonKind) (canonNode, error) {
	if !bytes.HasPrefix(p.in[p.pos:], []byte(word)) {
		return canonNode{}, p.syntax("invalid literal")
	}
	p.pos += len(word)
	if kind != canonNull {
		p.scalars = true
	}
	return canonNode{kind: kind}, nil
}

// number checks the JSON number grammar and returns the literal as is.
func (p *canonParser) number() (canonNode, error) {
	in, i := p.in, p.pos
	digits := func() bool {
		start := i
		for i < len(in) && '0' <= in[i] && in[i] <= '9' {
			i++
		}
		return i > start
	}
	if in[i] == '-' {
		i++
	}
	switch {
	case i < len(in) && in[i] == '0':
		i++
	case !digits():
		p.pos = i
		return canonNode{}, p.syntax("invalid number")
	}
	if i < len(in) && in[i] == '.' {
		i++
		if !digits() {
			p.pos = i
			return canonNode{}, p.syntax("invalid number")
		}
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if !digits() {
			p.pos = i
			return canonNode{}, p.syntax("invalid number")
		}
	}
	n := canonNode{kind: canonNumber, text: in[p.pos:i:i]}
	p.pos = i
	p.scalars = true
	return n, nil
}

// str parses the string starting at p.pos (a '"') and returns its decoded
// UTF-8. Strings without escapes and with valid UTF-8 alias the input.
func (p *canonParser) str() ([]byte, error) {
	in := p.in
	start := p.pos + 1
	ascii := true
	for i := start; i < len(in); i++ {
		switch c := in[i]; {
		case c == '"':
			s := in[start:i:i]
			if !ascii {
				p.nonASCII = true
				if !utf8.Valid(s) {
					return p.strSlow(start)
				}
			}
			p.pos = i + 1
			return s, nil
		case c == '\\':
			return p.strSlow(start)
		case c < 0x20:
			p.pos = i
			return nil, p.syntax("control character in string")
		case c >= 0x80:
			ascii = false
		}
	}
	p.pos = len(in)
	return nil, p.syntax("")
}

// strSlow decodes a string with escapes or invalid UTF-8 into p.strs.
func (p *canonParser) strSlow(start int) ([]byte, error) {
	in := p.in
	buf := p.strs
	b0 := len(buf)
	i := start
	for i < len(in) {
		c := in[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.strs = buf
			return buf[b0:len(buf):len(buf)], nil
		case c == '\\':
			if i+1 >= len(in) {
				p.pos = len(in)
				return nil, p.syntax("")
			}
			switch e := in[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(in, i+2)
				if !ok {
					p.pos = i
					return nil, p.syntax("invalid \\u escape")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if r < 0xdc00 && i+1 < len(in) && in[i] == '\\' && in[i+1] == 'u' {
						r2, ok = hex4(in, i+2)
					}
					if ok && 0xdc00 <= r2 && r2 < 0xe000 {
						r = utf16.DecodeRune(r, r2)
						i += 6
					} else {
						r = utf8.RuneError // lone surrogate
					}
				}
				if r >= utf8.RuneSelf {
					p.nonASCII = true
				}
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				p.pos = i
				return nil, p.syntax("invalid escape")
			}
			i += 2
		case c < 0x20:
			p.pos = i
			return nil, p.syntax("control character in string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			p.nonASCII = true
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, in[i:i+size]...)
			}
			i += size
		}
	}
	p.strs = buf
	p.pos = len(in)
	return nil, p.syntax("")
}

// hex4 decodes the four hex digits at in[i:i+4].
func hex4(in []byte, i int) (rune, bool) {
	if i+4 > len(in) {
		return 0, false
	}
	var r rune
	for _, c := range in[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// object parses the object at p.pos and returns it cleaned: sorted, last
// duplicate kept, empty members (and "sign" if root) dropped.
func (p *canonParser) object(depth int, root bool) (canonNode, error) {
	if depth > maxCanonDepth {
		return canonNode{}, errCanonTooDeep
	}
	p.pos++ // '{'
	base := len(p.mstack)
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == '}' {
		p.pos++
	} else {
		for {
			if p.pos >= len(p.in) || p.in[p.pos] != '"' {
				return canonNode{}, p.syntax("expected a string key")
			}
			key, err := p.str()
			if err != nil {
				return canonNode{}, err
			}
			p.skipSpace()
			if p.pos >= len(p.in) || p.in[p.pos] != ':' {
				return canonNode{}, p.syntax("expected ':'")
			}
			p.pos++
			p.skipSpace()
			val, err := p.value(depth)
			if err != nil {
				return canonNode{}, err
			}
			p.mstack = append(p.mstack, canonMember{key: key, val: val})
			p.skipSpace()
			if p.pos >= len(p.in) {
				return canonNode{}, p.syntax("")
			}
			c := p.in[p.pos]
			if c == '}' {
				p.pos++
				break
			}
			if c != ',' {
				return canonNode{}, p.syntax("expected ',' or '}'")
			}
			p.pos++
			p.skipSpace()
		}
	}

	ms := p.mstack[base:]
	// The members are sorted through a compact index rather than moved
	// themselves, so that a large object costs O(n log n) comparisons of
	// integers, mostly, and no moves of its members.
	order := p.order[:0]
	for i := range ms {
		order = append(order, memberOrder{prefix: keyPrefix(ms[i].key), i: int32(i)})
	}
	memberSort{ms}.sort(order)
	p.order = order
	lo := len(p.members)
	for j, o := range order {
		m := &ms[o.i]
		if j+1 < len(order) && o.prefix == order[j+1].prefix && bytes.Equal(m.key, ms[order[j+1].i].key) {
			continue // a later duplicate wins
		}
		if root && string(m.key) == "sign" {
			p.sign = m.val
			continue
		}
		if canonEmpty(m.val) {
			continue
		}
		p.members = append(p.members, *m)
	}
	p.mstack = p.mstack[:base]
	return canonNode{kind: canonObject, lo: int32(lo), hi: int32(len(p.members))}, nil
}

func (p *canonParser) array(depth int) (canonNode, error) {
	if depth > maxCanonDepth {
		return canonNode{}, errCanonTooDeep
	}
	p.pos++ // '['
	base := len(p.estack)
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == ']' {
		p.pos++
	} else {
		for {
			val, err := p.value(depth)
			if err != nil {
				return canonNode{}, err
			}
			p.estack = append(p.estack, val)
			p.skipSpace()
			if p.pos >= len(p.in) {
				return canonNode{}, p.syntax("")
			}
			c := p.in[p.pos]
			if c == ']' {
				p.pos++
				break
			}
			if c != ',' {
				return canonNode{}, p.syntax("expected ',' or ']'")
			}
			p.pos++
			p.skipSpace()
		}
	}
	lo := len(p.elems)
	p.elems = append(p.elems, p.estack[base:]...)
	p.estack = p.estack[:base]
	return canonNode{kind: canonArray, lo: int32(lo), hi: int32(len(p.elems))}, nil
}

// memberSort sorts the members of one object through their memberOrder:
// an introsort (quicksort, heapsort past 2 log n levels, insertion sort
// for short runs) whose comparisons are inlined, since a large object may
// hold thousands of members. Every member has its own place (equal keys
// are ordered by index), so the order is total and any correct sort gives
// the same result.
type memberSort struct{ ms []canonMember }

func (s memberSort) less(a, b memberOrder) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	return s.lessTied(a, b)
}

// lessTied is less for two members whose keys share their first eight
// bytes.
func (s memberSort) lessTied(a, b memberOrder) bool {
	if c := bytes.Compare(s.ms[a.i].key, s.ms[b.i].key); c != 0 {
		return c < 0
	}
	return a.i < b.i
}

func (s memberSort) sort(v []memberOrder) {
	depth := 0
	for n := len(v); n > 0; n >>= 1 {
		depth += 2
	}
	s.quick(v, depth)
}

func (s memberSort) quick(v []memberOrder, depth int) {
	for len(v) > 12 {
		if depth == 0 {
			s.heap(v)
			return
		}
		depth--
		// Median of three as the pivot, moved to v[0].
		a, m, z := 0, len(v)/2, len(v)-1
		if s.less(v[m], v[a]) {
			v[m], v[a] = v[a], v[m]
		}
		if s.less(v[z], v[m]) {
			v[z], v[m] = v[m], v[z]
			if s.less(v[m], v[a]) {
				v[m], v[a] = v[a], v[m]
			}
		}
		v[0], v[m] = v[m], v[0]
		pivot := v[0]
		i, j := 1, len(v)-1
		for {
			for i <= j && s.less(v[i], pivot) {
				i++
			}
			for i <= j && s.less(pivot, v[j]) {
				j--
			}
			if i >= j {
				break
			}
			v[i], v[j] = v[j], v[i]
			i++
			j--
		}
		v[0], v[j] = v[j], v[0]
		// Recurse into the smaller side, loop on the larger.
		if j < len(v)-j {
			s.quick(v[:j], depth)
			v = v[j+1:]
		} else {
			s.quick(v[j+1:], depth)
			v = v[:j]
		}
	}
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && s.less(v[j], v[j-1]); j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func (s memberSort) heap(v []memberOrder) {
	down := func(root, n int) {
		for {
			child := 2*root + 1
			if child >= n {
				return
			}
			if child+1 < n && s.less(v[child], v[child+1]) {
				child++
			}
			if !s.less(v[root], v[child]) {
				return
			}
			v[root], v[child] = v[child], v[root]
			root = child
		}
	}
	for i := len(v)/2 - 1; i >= 0; i-- {
		down(i, len(v))
	}
	for i := len(v) - 1; i > 0; i-- {
		v[0], v[i] = v[i], v[0]
		down(0, i)
	}
}

// keyPrefix is a key's first eight bytes as a big-endian integer, zero
// padded: keys whose prefixes differ sort as their prefixes do.
func keyPrefix(key []byte) uint64 {
	var b [8]byte
	copy(b[:], key)
	return binary.BigEndian.Uint64(b[:])
}

// canonEmpty reports whether an object member with this (cleaned) value is
// left out of the sign content.
func canonEmpty(n canonNode) bool {
	switch n.kind {
	case canonNull:
		return true
	case canonString:
		return len(n.text) == 0
	case canonArray, canonObject:
		return n.lo == n.hi
	}
	return false
}

func (p *canonParser) appendNode(dst []byte, n canonNode, form canonForm) []byte {
	switch n.kind {
	case canonNull:
		return append(dst, "null"...)
	case canonTrue:
		return appendScalar(dst, "true", form)
	case canonFalse:
		return appendScalar(dst, "false", form)
	case canonNumber:
		if form == formStringified {
			dst = append(dst, '"')
			dst = append(dst, n.text...)
			return append(dst, '"')
		}
		return append(dst, n.text...)
	case canonString:
		return appendCanonString(dst, n.text, form == formASCII)
	case canonArray:
		dst = append(dst, '[')
		for i := n.lo; i < n.hi; i++ {
			if i > n.lo {
				dst = append(dst, ',')
			}
			dst = p.appendNode(dst, p.elems[i], form)
		}
		return append(dst, ']')
	case canonObject:
		dst = append(dst, '{')
		for i := n.lo; i < n.hi; i++ {
			if i > n.lo {
				dst = append(dst, ',')
			}
			m := &p.members[i]
			dst = appendCanonString(dst, m.key, form == formASCII)
			dst = append(dst, ':')
			dst = p.appendNode(dst, m.val, form)
		}
		return append(dst, '}')
	}
	panic("csss: unknown canonical node kind")
}

func appendScalar(dst []byte, lit string, form canonForm) []byte {
	if form == formStringified {
		dst = append(dst, '"')
		dst = append(dst, lit...)
		return append(dst, '"')
	}
	return append(dst, lit...)
}

const hexDigits = "0123456789abcdef"

// appendCanonString appends s (valid UTF-8) as a JSON string, escaping only
// '"', '\\' and control characters, plus, if ascii, everything above U+007F.
func appendCanonString(dst, s []byte, ascii bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && (c < utf8.RuneSelf || !ascii) {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = appendUEscape(dst, rune(c))
				break
			}
			r, size := utf8.DecodeRune(s[i:])
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				dst = appendUEscape(dst, r1)
				dst = appendUEscape(dst, r2)
			} else {
				dst = appendUEscape(dst, r)
			}
			i += size - 1
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendUEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
