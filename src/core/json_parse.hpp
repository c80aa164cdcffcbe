// JSON text → Value with RapidJSON's SAX reader. Duplicate keys: last wins (as Go's encoding/json).
// Integers keep int64/uint64; with `go_any_numbers` every number becomes a float64, as Go decodes into `any`.
#pragma once

#include <string_view>

#include "core/value.hpp"

namespace atmos {

// Throws Error(ErrorKind::Yaml) with the RapidJSON error and byte offset on malformed input, and on nesting
// deeper than 10,000 levels (Go's limit). The reader does not recurse.
Value parse_json(std::string_view text, bool go_any_numbers = false);

}  // namespace atmos
