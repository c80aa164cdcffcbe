// `atmos describe affected` (docs/affected.md): which component instances differ between a base and the
// working tree, with upstream's reasons and fields (internal/exec/describe_affected_components.go,
// describe_affected_deleted.go, describe_affected_utils_2.go).
#pragma once

#include <string>
#include <vector>

#include "config/cli_config.hpp"
#include "core/value.hpp"
#include "stacks/dependents.hpp"
#include "stacks/integrations.hpp"

namespace atmos::stacks {

struct AffectedRequest {
  Value current;                           // `describe stacks` of the working tree
  Value base;                              // `describe stacks` of the base commit (empty map: none)
  std::vector<std::string> changed_files;  // absolute paths changed between base and working tree
  std::string cwd;                         // absolute; `file`/`folder` dependencies are relative to it
  std::string stack;                       // only this stack ("" = all)
  bool include_settings = false;
  bool include_dependents = false;
  bool include_spacelift_admin_stacks = false;  // add the admin stacks of affected instances (admin_stack_selector)
  bool exclude_locked = false;              // skip instances with metadata.locked: true
  std::vector<std::string> sections;        // `describe.affected.sections`: replaces the compared sections
};

// The affected list: one entry per instance (`affected` = first reason, `affected_all` = every reason), sorted
// by stack and component, then the instances and stacks that exist only in the base (`deleted`). With
// include_dependents, every entry carries its dependents tree; a dependency cycle is an Error naming it.
Value find_affected(const config::CliConfig& cfg, const AffectedRequest& req);

// The dependents tree of instance `i` (nested `dependents`), sorted by stack slug at every level.
Value dependents_tree(const config::CliConfig& cfg, const DependencyGraph& graph, std::size_t i, bool include_settings,
                      IntegrationNames& names);

}  // namespace atmos::stacks
