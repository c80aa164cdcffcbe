// YAML printer byte-identical to Go yaml.v3 3.0.1's Encoder with SetIndent(2), which is what Atmos prints
// (`describe stacks`, `describe component`, ...).
//
// It is a port of the parts of yaml.v3's encode.go and emitterc.go that a tree of null/bool/int/float/string/
// list/map reaches:
// - keys in yaml.v3's natural order (sorter.go: runs of digits compare numerically, so `a2` < `a10`);
// - block mappings and sequences, 2-space indent, sequences indented under their key (`key:\n  - x`),
//   `{}` / `[]` for empty collections, keys longer than 128 bytes or spanning lines as `? key\n: value`;
// - string styles of encode.go stringv + emitterc.go analyze/select: plain when the text would read back as
//   the same string; double-quoted when it would resolve to another type (`"123"`, `"true"`, `"null"`, `""`),
//   is a YAML 1.1 bool (`"yes"`, `"on"`) or base-60 number, or needs escapes; single-quoted when only plain's
//   indicator rules forbid it (`': x'`, `'- a'`, `'#x'`); literal `|`, `|-`, `|+` for text with newlines;
//   no line folding (yaml.v3 sets no width). Text that is not valid UTF-8 prints as `!!binary` base64.
// - floats as strconv.FormatFloat(f, 'g', -1, 64) (`1.5e+06`, `1e-05`), `.inf`, `-.inf`, `.nan`;
// - null as `null`; a string tagged `!!timestamp` (Go's time.Time, holding its RFC 3339 text) plain, as
//   yaml.v3's timev. Other tags and source marks are not printed.
//
// A block collection shared by identity (Value::identity()) that occurs more than once is rendered once per
// (indent, position) and its text reused. The streaming overloads hand out chunks of about 256 KB.
// Each call owns its state; concurrent calls are fine.
#pragma once

#include <cstdio>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "core/value.hpp"

namespace atmos {

std::string to_yaml(const Value& v);

// Calls `sink` with consecutive pieces of the output.
void write_yaml(const Value& v, const std::function<void(std::string_view)>& sink);

// Write failures throw Error(ErrorKind::Io).
void write_yaml(const Value& v, std::FILE* out);
void write_yaml(const Value& v, std::ostream& out);

// yaml.v3's map key order for string keys (sorter.go keyList.Less).
bool yaml_key_less(std::string_view a, std::string_view b);

}  // namespace atmos
