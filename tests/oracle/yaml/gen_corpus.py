#!/usr/bin/env python3
"""Writes the generated part of the YAML corpus (g_*.yaml) into the directory given as argument.

Hand-written edge cases (h_*.yaml) live next to them and are not touched. Every generated document is small
and aims at one rule of yaml.v3 or encoding/json: scalar resolution, string quoting styles, float
formatting, key order, and shapes of nested collections.
"""
import os
import random
import sys

# Plain scalars whose typing (yaml.v3 resolve.go) and re-printing are checked one by one.
PLAIN_SCALARS = [
    "yes", "no", "on", "off", "y", "n", "Y", "N", "YES", "No", "ON", "Off",
    "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "null", "Null", "NULL", "nULL", "~",
    "0", "-0", "+0", "00", "007", "0777", "0o777", "0O17", "-0o17", "0o", "0o8", "0x1F", "0X1f", "-0x1F", "0x",
    "0xG", "0b101", "0B11", "-0b101", "0b", "0b2", "08", "09", "0_7", "1_000", "1__000", "_1000", "1000_",
    "+12", "-12", "+", "-", "--", "1.", "-1.", ".5", "-.5", "+.5", ".", "1.5", "1e3", "1E3", "1e+3", "1e-3",
    "1.5e-7", "1e", "1e+", "1.e5", ".e5", "1_0.5", "0x1p3", "1e400", "-1e400", "1e-400", ".1e400",
    ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".iNF", "inf", "Infinity", "-inf", ".nan", ".NaN", ".NAN",
    "nan", "NaN",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "+9223372036854775808", "12345678901234567890",
    "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "0b1111111111111111111111111111111111111111111111111111111111111111",
    "0o1777777777777777777777", "99999999999999999999999",
    "2024-01-01", "2024-1-1", "2024-01-1", "2024-001-01", "2024-01-01T10:00:00Z", "2024-01-01t10:00:00Z",
    "2024-01-01 10:00:00", "2024-01-01  10:00:00", "2024-01-01T10:00:00.5Z", "2024-01-01T10:00:00.123456789Z",
    "2024-01-01T10:00:00.1234567891Z", "2024-01-01T10:00:00,5Z", "2024-01-01T10:00:00+05:30",
    "2024-01-01T10:00:00-08:00", "2024-01-01T10:00:00+0530", "2024-01-01T10:00:00", "2024-01-01T1:2:3Z",
    "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-01T24:00:00Z",
    "2024-01-01T10:60:00Z", "2024-01-01 10:00:00.25", "2024-01-01x", "20240-01-01", "999-01-01", "1999-12-31",
    "12:30:45", "1:20", "190:20:30", "-1:30", "+1:30", "1:60", "1:20.5", "1_0:20", "1:2:3:4",
    "<<", "=", "a", "abc", "hello world", "a:b", "a: b", "a #b", "a#b", "http://x.y/z?q=1", "-a", "-1a",
    "1a", "1 2", "0.0.0.0", "1.2.3", "v1.0", "1e3x", "--1", "++1", ".1.", "1..2",
]

# Strings checked as quoted values and as keys (written with YAML double-quote escapes in the source).
TRICKY_STRINGS = [
    "", " ", "  ", "a ", " a", "a  b", "\t", "a\tb", "\ta", "a\n", "a\nb", "a\nb\n", "a\nb\n\n", "\n", "\n\n",
    "\na", " \na", "a \nb", "a\n b", "a\n\nb", "line1\nline2\nline3", "trailing  \nx", "x\n  indented\n",
    "a\r\nb", "a\rb", "\u0085", "a\u0085b", "a\u2028b", "a\u2029", "\u00a0", "a\u00a0b", "\ufeffbom", "a\ufeff",
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\u0080", "\u009f",
    "\ufffe", "\uffff", "\ue000", "\ud7ff",
    "é", "naïve", "日本語", "emoji 😀", "😀", "\U0001F600x", "Ω", "\u0660\u0661",
    ":", ": ", "a:", "a: ", ":a", "a:b", "a :b", "#", "# a", "a #", "a#", "a # b", "-", "- ", "-a", "- a",
    "--", "---", "--- a", "...", ".. .", "?", "? ", "?a", "a?", "*", "*a", "&", "&a", "!", "!a", "!!str",
    "@", "@a", "`", "`a`", "'", "'a'", "a'b", "''", "\"", "\"a\"", "a\"b", "%", "%a", "|", "|a", ">", ">a",
    "[", "[a]", "a[b]", "]", "{", "{a}", "a{b}", "}", ",", ",a", "a,b", "a, b", "\\", "a\\b", "\\n",
    "a b c", "  leading", "trailing  ", "key: value", "k: v: w", "x #y", "x#y", "0", "1", "1.5", "true",
    "yes", "null", "~", "<<", "=", "2024-01-01",
    "a" * 81, "word " * 30, "x" * 129, "y" * 128, ("long line " * 12).strip() + "\nsecond",
]

FLOATS = [
    "0.0", "-0.0", "1.0", "-1.0", "0.5", "85.0", "100.0", "100000.0", "123456.0", "999999.0", "1000000.0",
    "1234567.0", "12345678.9", "1e20", "1e21", "1e22", "123456789012345678901.0", "1.5e300", "1.7976931348623157e308",
    "0.0001", "0.00001", "0.000001", "0.0000001", "1e-6", "1e-7", "2.5e-5", "1.5e-10", "5e-324",
    "2.2250738585072014e-308", "3.141592653589793", "0.1", "0.2", "0.30000000000000004", "1.1",
    "2.675", "1e15", "1e16", "1e17", "9007199254740993.0", "4.35", "-123.456", "6.02214076e23", "1.6e-19",
]


def quote(s):
    """A YAML double-quoted scalar for s."""
    out = '"'
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out += '\\"'
        elif ch == "\\":
            out += "\\\\"
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        elif o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0 or o in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
            out += "\\u%04x" % o
        else:
            out += ch
    return out + '"'


def literal(s):
    """A YAML literal block scalar (indented two spaces) for s."""
    chomp = "+" if s.endswith("\n\n") else ("" if s.endswith("\n") else "-")
    text = s[:-1] if s.endswith("\n") else s
    return "|" + chomp + "\n" + "".join(("  " + line if line else "") + "\n" for line in text.split("\n"))


# yaml.v3 sorter.go keyList.Less for string keys, to keep only key sets that it orders consistently (Go sorts
# an unordered key set, so an inconsistent comparator would make the golden depend on map iteration order).
def is_letter(c):
    return c.isalpha()


def is_digit(c):
    return "0" <= c <= "9"


def key_less(a, b):
    digits = False
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            digits = is_digit(a[i])
            continue
        al, bl = is_letter(a[i]), is_letter(b[i])
        if al and bl:
            return a[i] < b[i]
        if al or bl:
            return al if digits else bl
        an = bn = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and is_digit(a[j]):
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and is_digit(a[ai]):
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and is_digit(b[bi]):
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


def consistent(keys):
    for a in keys:
        for b in keys:
            if a != b and key_less(a, b) == key_less(b, a):
                return False
            for c in keys:
                if key_less(a, b) and key_less(b, c) and not key_less(a, c):
                    return False
    return True


def main():
    out = sys.argv[1]
    for name in os.listdir(out):
        if name.startswith("g_"):
            os.remove(os.path.join(out, name))
    docs = {}

    for i, s in enumerate(PLAIN_SCALARS):
        docs["g_plain_%03d" % i] = "v: %s\n" % s
    for i, s in enumerate(TRICKY_STRINGS):
        docs["g_str_%03d" % i] = "v: %s\n" % quote(s)
        docs["g_key_%03d" % i] = "%s: v\n" % quote(s)
    for i, s in enumerate(TRICKY_STRINGS):
        if "\n" in s and s[0] not in " \n" and all(c == "\n" or (" " <= c and c != "\x7f" and c < "\x80") for c in s):
            docs["g_literal_%03d" % i] = "v: %s" % literal(s)
    docs["g_floats_all"] = "".join("f%02d: %s\n" % (i, f) for i, f in enumerate(FLOATS))
    for i, f in enumerate(FLOATS):
        docs["g_float_%03d" % i] = "- %s\n" % f

    rng = random.Random(20240101)
    alphabet = "ab0129_-.AZé"
    made = 0
    while made < 30:
        keys = set()
        for _ in range(rng.randint(5, 12)):
            keys.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))))
        keys = sorted(keys)
        if not consistent(keys):
            continue
        rng.shuffle(keys)
        docs["g_order_%03d" % made] = "".join("%s: %d\n" % (quote(k), i) for i, k in enumerate(keys))
        made += 1

    shapes = [
        "a:\n  b:\n    c:\n      d: 1\n",
        "- - - 1\n    - 2\n  - 3\n- 4\n",
        "- a: 1\n  b:\n    - x\n    - y: 2\n      z: []\n",
        "a: []\nb: {}\nc: [[]]\nd: [{}]\ne: {x: {}}\n",
        "- []\n- {}\n- null\n- ''\n- ~\n",
        "a:\n  - b:\n      - c:\n          - d\n",
        "list:\n- 1\n- 2\nmap:\n  k: v\n",
        "a: {b: [1, {c: d}], e: f}\n",
        "- {a: 1, b: 2}\n- [1, 2, [3, 4]]\n",
        "a:\n  - |\n    multi\n    line\n  - plain\n",
        "? complex\n: value\n",
        "a: [1, 2.5, -3, true, null, ~, str, '4']\n",
    ]
    for i, s in enumerate(shapes):
        docs["g_shape_%03d" % i] = s
    for depth in range(1, 6):
        doc = ""
        for d in range(depth):
            doc += "  " * d + "k%d:\n" % d
        doc += "  " * depth + "- leaf\n"
        docs["g_deep_%03d" % depth] = doc

    for name, text in docs.items():
        with open(os.path.join(out, name + ".yaml"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print("%d generated documents" % len(docs))


if __name__ == "__main__":
    main()
