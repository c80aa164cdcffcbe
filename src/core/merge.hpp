// Deep merge with Atmos' rules (docs/stacks.md#merging, upstream pkg/merge):
// inputs left→right (later wins); empty maps are skipped; map+map recurses; any type mismatch and an
// explicit null on the right replace; lists follow the strategy; a list tagged `!append` is appended to
// whatever list the accumulator holds at that path, whatever the strategy.
// Untouched subtrees are shared with the inputs, never copied.
#pragma once

#include <string_view>
#include <vector>

#include "core/value.hpp"

namespace atmos {

enum class ListMergeStrategy { Replace, Append, Merge };

// "" → Replace. Unknown names throw Error with upstream's message.
ListMergeStrategy parse_list_merge_strategy(std::string_view name);

// Inputs are maps: a null or empty input is skipped (an explicit null *inside* a map still replaces).
Value deep_merge(const Value& left, const Value& right, ListMergeStrategy strategy = ListMergeStrategy::Replace);
Value deep_merge(const std::vector<Value>& inputs, ListMergeStrategy strategy = ListMergeStrategy::Replace);

}  // namespace atmos
