// `atmos validate stacks` (docs/stacks.md#what-describe-and-list-print): every manifest processes, no component is defined twice
// for one stack with different configuration, and every manifest file satisfies the manifest JSON Schema.
#pragma once

#include <string>
#include <vector>

#include "stacks/engine.hpp"

namespace atmos::stacks {

// Returns the problems found (empty = valid). Processing errors are reported, not thrown.
std::vector<std::string> validate_stacks(StackEngine& engine);

// JSON-Schema problems of one parsed manifest (tags already turned into strings), one line each.
std::vector<std::string> schema_errors(const Value& manifest);

}  // namespace atmos::stacks
