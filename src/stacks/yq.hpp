// The subset of yq expressions that upstream's YAML functions are documented with (`!terraform.state`,
// `!terraform.output`, `!store`, `!include` queries): paths `.a.b`, `.a[0]`, `.a[-1]`, `.a["key-with-dash"]`,
// `.["k"]`, `."k"`; literals (strings in double or single quotes, numbers, true/false/null, lists `[..]`,
// maps `{"k": v}`); `+` (strings, numbers, lists, maps); `//` (the left value unless null or false);
// parentheses; pipes `|`; and the functions `keys`, `length` and `tostring`.
//
// One value in, one value out (no multi-value streams). Malformed expressions and type errors throw
// atmos::Error(ErrorKind::Stack) whose message names the expression; evaluation depth is bounded.
#pragma once

#include <string_view>

#include "core/value.hpp"

namespace atmos::stacks {

Value yq_evaluate(const Value& data, std::string_view expression);

// True when the expression has a `//` outside quoted strings (the function then has a default).
bool yq_has_default(std::string_view expression);

}  // namespace atmos::stacks
