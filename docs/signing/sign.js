#!/usr/bin/env node
// Prints the CSSS sign content (the canonical string) of a JSON request body
// read from standard input, then its sign.
//
//     node sign.js SECRET < body.json
'use strict';
const crypto = require('crypto');
const fs = require('fs');

// parse is a small JSON parser: JSON.parse would turn 10.0 into 10, so this
// one keeps numbers as the literal they were sent as ({ number: '10.0' }) and
// objects as Maps.
function parse(text) {
  let i = 0;
  const fail = (msg) => { throw new SyntaxError(`${msg} at offset ${i}`); };
  const space = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const stringRE = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const numberRE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const match = (re) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i = re.lastIndex;
    return m && m[0];
  };
  function value() {
    space();
    if (text[i] === '{') {
      i++;
      const obj = new Map();
      space();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        space();
        const key = match(stringRE);
        if (key === null) fail('expected a string key');
        space();
        if (text[i++] !== ':') fail("expected ':'");
        obj.set(JSON.parse(key), value());
        space();
        const c = text[i++];
        if (c === '}') return obj;
        if (c !== ',') fail("expected ',' or '}'");
      }
    }
    if (text[i] === '[') {
      i++;
      const list = [];
      space();
      if (text[i] === ']') { i++; return list; }
      for (;;) {
        list.push(value());
        space();
        const c = text[i++];
        if (c === ']') return list;
        if (c !== ',') fail("expected ',' or ']'");
      }
    }
    const s = match(stringRE);
    if (s !== null) return JSON.parse(s); // decodes the escapes
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    const n = match(numberRE);
    if (n !== null) return { number: n };
    fail('unexpected character');
  }
  const v = value();
  space();
  if (i !== text.length) fail('unexpected data after the JSON value');
  return v;
}

const isEmpty = (v) => v === null || v === '' ||
  (Array.isArray(v) && v.length === 0) || (v instanceof Map && v.size === 0);

// clean drops the members of objects whose value is null, "", [] or {},
// innermost first. Arrays keep all their elements.
function clean(v) {
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) {
      const c = clean(x);
      if (!isEmpty(c)) out.set(k, c);
    }
    return out;
  }
  if (Array.isArray(v)) return v.map(clean);
  return v;
}

// Keys are sorted by their UTF-8 bytes, not by UTF-16 code units.
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// dump writes compact JSON; JSON.stringify on a string escapes only '"',
// '\' and control characters, and leaves '/' and non-ASCII text as is.
function dump(v) {
  if (v === null) return 'null';
  if (v === true || v === false) return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(dump).join(',')}]`;
  if (v instanceof Map) {
    const keys = [...v.keys()].sort(byteOrder);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${dump(v.get(k))}`).join(',')}}`;
  }
  return v.number;
}

const secret = process.argv[2];
if (process.argv.length !== 3) {
  console.error('usage: node sign.js SECRET < body.json');
  process.exit(2);
}
const body = parse(fs.readFileSync(0, 'utf8'));
if (!(body instanceof Map)) throw new Error('the body must be a JSON object');
body.delete('sign'); // at the top level only
const content = dump(clean(body));
const sign = crypto.createHmac('sha1', secret).update(content, 'utf8').digest('base64');
process.stdout.write(`${content}\n${sign}\n`);
