// Cobra-compatible flag parsing: flags may appear anywhere among positional arguments, `--name=value`,
// `--name value`, `-s value`, `-svalue`, boolean flags with optional `=true|false`, everything after `--`
// verbatim. Unknown flags fail with cobra's texts (`unknown flag: --x`, `unknown shorthand flag: 'x' in -x`).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atmos::cli {

struct FlagSpec {
  std::string name;      // long name without dashes
  char shorthand = 0;    // 0 = none
  bool boolean = false;  // takes no value (accepts --flag=true|false)
};

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>> values;  // long name → every value given
  std::vector<std::string> passthrough;                    // after `--`
  bool has_double_dash = false;

  bool has(const std::string& name) const { return values.count(name) != 0; }
  std::optional<std::string> last(const std::string& name) const;
  std::string get(const std::string& name, std::string fallback = "") const;
  bool flag(const std::string& name) const;  // boolean flag value
  // Every value, with comma-separated lists split.
  std::vector<std::string> list(const std::string& name) const;
};

// With `allow_unknown_single_dash`, unknown `-x` arguments are kept as positionals (Terraform flags).
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
                      bool allow_unknown_single_dash = false);

// Flags every command accepts (persistent flags on upstream's root command).
const std::vector<FlagSpec>& global_flags();

}  // namespace atmos::cli
