// Doublestar globbing with the semantics and result order of Go's bmatcuk/doublestar v4, which upstream uses:
// `**` as a whole path segment matches zero or more directories; `*` and `?` never cross `/`;
// `[abc]`, `[a-z]`, `[!x]`/`[^x]` classes and `{a,b}` alternatives; `\` escapes.
// Glob order: directories visited in pre-order, entries of each directory sorted by name (Go's os.ReadDir).
// Paths below a mounted tree (core/mount.hpp) are globbed in the tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace atmos {

// Files and directories matching an absolute or relative pattern (results keep the pattern's form).
std::vector<std::string> glob(const std::string& pattern);

// True when `path` matches `pattern` as doublestar.Match does (separator `/`).
bool glob_match(std::string_view pattern, std::string_view path);

bool has_glob_meta(std::string_view s);

}  // namespace atmos
