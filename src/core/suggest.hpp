// "Did you mean …?" suggestions.
#pragma once

#include <string>
#include <vector>

namespace atmos {

// Candidates close to `name` (small edit distance, or one containing the other), best first.
std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t max = 3);

}  // namespace atmos
