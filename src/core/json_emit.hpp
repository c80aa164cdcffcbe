// JSON printer byte-identical to Go's encoding/json, which is what Atmos prints.
//
// - Indented: `json.MarshalIndent(v, "", "  ")` followed by one newline (Atmos' `--format json` and the
//   `*.tf.json` files). Compact: `json.Marshal(v)`, no newline.
// - Map keys in bytewise order (Value maps already are); `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`
//   etc.; other control characters as `\u00XX` except `\n`, `\r`, `\t`; each invalid UTF-8 byte as `\ufffd`.
// - Integers as decimal; floats as encoding/json does (`strconv.FormatFloat` 'f', or 'e' below 1e-6 and from
//   1e21 on, so `85.0` prints `85` and `1e-7` prints `1e-7`). NaN and ±Inf throw
//   Error(ErrorKind::Stack, "json: unsupported value: NaN") like Go.
// - Tags and source marks are not printed.
//
// A subtree shared by identity (Value::identity()) that occurs more than once is rendered once per nesting
// depth and its text reused, so outputs of hundreds of MB with thousands of copies of the same section cost
// a memcpy per copy. The streaming overloads hand out the text in chunks of about 256 KB and never hold the
// whole document. Not thread-safe per call (each call owns its cache); concurrent calls are fine.
#pragma once

#include <cstdio>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

#include "core/value.hpp"

namespace atmos {

enum class JsonStyle { Indented, Compact };

std::string to_json(const Value& v, JsonStyle style = JsonStyle::Indented);

// Calls `sink` with consecutive pieces of the output.
void write_json(const Value& v, const std::function<void(std::string_view)>& sink,
                JsonStyle style = JsonStyle::Indented);

// Write failures throw Error(ErrorKind::Io).
void write_json(const Value& v, std::FILE* out, JsonStyle style = JsonStyle::Indented);
void write_json(const Value& v, std::ostream& out, JsonStyle style = JsonStyle::Indented);

// Go text primitives shared with the YAML printer.

// Go's utf8.DecodeRuneInString(s[pos:]): the rune and its length in bytes, or (-1, 1) for an invalid byte.
// `pos` must be < s.size().
std::pair<int, int> decode_go_rune(std::string_view s, std::size_t pos);

// Go's `strconv.FormatFloat(f, fmt, -1, 64)` for fmt 'f', 'e' or 'g' (shortest round-trip digits), including
// "+Inf", "-Inf" and "NaN".
std::string format_go_float(double f, char fmt);

}  // namespace atmos
