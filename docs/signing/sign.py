#!/usr/bin/env python3
"""Print the CSSS sign content (the canonical string) of a JSON request body
read from standard input, then its sign.

    python3 sign.py SECRET < body.json
"""
import base64
import hashlib
import hmac
import json
import sys


class Number:
    """A JSON number kept as the literal it was sent as: 10.0 stays 10.0."""

    def __init__(self, text):
        self.text = text


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def clean(value):
    """Drop the members of objects whose value is null, "", [] or {},
    innermost first. Arrays keep all their elements."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = clean(item)
            if item is None or item == "" or item == [] or item == {}:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def dump(value):
    """Compact JSON, keys in code point (= UTF-8 byte) order, raw UTF-8."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Number):
        return value.text
    if isinstance(value, str):
        # escapes only '"', '\' and control characters
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(dump(item) for item in value) + "]"
    return "{" + ",".join(
        json.dumps(key, ensure_ascii=False) + ":" + dump(value[key])
        for key in sorted(value)) + "}"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 sign.py SECRET < body.json")
    body = json.loads(sys.stdin.buffer.read().decode("utf-8"),
                      parse_int=Number, parse_float=Number,
                      parse_constant=reject_constant)
    if not isinstance(body, dict):
        sys.exit("the body must be a JSON object")
    body.pop("sign", None)  # at the top level only
    content = dump(clean(body)).encode("utf-8")
    key = sys.argv[1].encode("utf-8")
    sign = base64.b64encode(hmac.new(key, content, hashlib.sha1).digest())
    sys.stdout.buffer.write(content + b"\n" + sign + b"\n")


if __name__ == "__main__":
    main()
