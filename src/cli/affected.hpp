// `atmos describe affected`, `describe dependents`, `list affected`, and the
// selection `atmos terraform <cmd> --affected` runs (docs/affected.md).
#pragma once

#include <string>
#include <vector>

#include "cli/args.hpp"
#include "config/cli_config.hpp"
#include "core/value.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {

// The flags that choose the base and shape the affected list (shared with `terraform --affected`).
const std::vector<FlagSpec>& affected_flags();

// What `describe affected` compared.
struct AffectedRun {
  std::string root;      // the working tree's root
  std::string head_sha;  // "" on an unborn branch
  std::string base_sha;
};

// The affected list for the base the flags choose (--base/--ref/--sha/--repo-path, CI auto-detection), computed
// with `engine` (the working tree) and a second engine over the base commit; `run`, when given, receives what
// was compared.
Value compute_affected(const ParsedArgs& args, const config::CliConfig& cfg, stacks::StackEngine& engine,
                       AffectedRun* run = nullptr);

int describe_affected(const std::vector<std::string>& argv);
int describe_dependents(const std::vector<std::string>& argv);
int list_affected(const std::vector<std::string>& argv);

}  // namespace atmos::cli
