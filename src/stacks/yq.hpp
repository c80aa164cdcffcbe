// The yq / jq expressions upstream's YAML functions (`!terraform.state`, `!terraform.output`, `!store`,
// `!include`) and `--query` flags are documented with: paths `.a.b`, `.a[0]`, `.a[-1]`, `.a["key-with-dash"]`,
// `.["k"]`, `."k"`, `.[]` (every element or value); literals (strings in double or single quotes, numbers,
// true/false/null, lists `[..]` collecting every value inside, maps `{"k": v}`); `+`; comparisons `==`, `!=`,
// `<`, `<=`, `>`, `>=`; `and`, `or`, `not`; `//` (the left values that are neither null nor false, else the right);
// `,` (both streams); parentheses; pipes `|`; and the functions `keys`, `length`, `tostring`, `select(f)`,
// `map(f)`, `has(k)`, `test(re)` (ECMAScript regular expressions), `startswith(s)`, `endswith(s)`.
//
// Expressions yield streams as in jq; yq_evaluate returns null for no value, the value for one, and a list of them
// for several. Malformed expressions and type errors throw atmos::Error(ErrorKind::Stack) whose message names the
// expression; evaluation depth, path length and stream sizes are bounded.
#pragma once

#include <string_view>

#include "core/value.hpp"

namespace atmos::stacks {

Value yq_evaluate(const Value& data, std::string_view expression);

// True when the expression has a `//` outside quoted strings (the function then has a default).
bool yq_has_default(std::string_view expression);

}  // namespace atmos::stacks
