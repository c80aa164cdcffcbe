// The dependency graph between component instances (docs/affected.md#dependencies), built from a `describe
// stacks` tree: an instance depends on another through `dependencies.components` or the older
// `settings.depends_on` (component plus `stack`, or the context keys namespace/tenant/environment/stage, which
// default to the dependent's own; neither → the same stack), as upstream's internal/exec/describe_dependents.go
// matches them. Abstract and disabled instances take no part.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "config/cli_config.hpp"
#include "core/value.hpp"
#include "stacks/integrations.hpp"

namespace atmos::stacks {

struct Instance {
  std::string stack;
  std::string component;
  std::string component_type;
  Value section;  // as `describe stacks` prints it
};

// A component dependency of an instance (file and folder dependencies are not edges).
struct ComponentDependency {
  std::string component, stack, namespace_, tenant, environment, stage;
  bool new_format = false;  // from `dependencies.components`
};

// File and folder dependencies of a component section: `dependencies.components` entries with
// `kind: file|folder` (or `dependencies.files`/`folders`), else `settings.depends_on` entries with `file:` /
// `folder:`. Each as {kind, path}, in declaration order.
std::vector<std::pair<std::string, std::string>> file_dependencies(const Value& section);

// The `component_path` upstream reports: base_path / components.terraform.base_path / folder, cleaned.
std::string component_path(const config::CliConfig& cfg, const Value& section, const std::string& component);

// `<stack>-<component with / replaced by ->`.
std::string stack_slug(const std::string& stack, const std::string& component);

// True when metadata.type is abstract or metadata.enabled is false.
bool skipped_instance(const Value& section);

class DependencyGraph {
 public:
  explicit DependencyGraph(const Value& stacks);

  const std::vector<Instance>& instances() const { return instances_; }
  // Index of the instance, or npos.
  std::size_t find(const std::string& component, const std::string& stack) const;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Direct dependents of instance `i`, sorted by stack slug.
  const std::vector<std::size_t>& dependents(std::size_t i) const { return dependents_[i]; }
  // Direct dependencies of instance `i`.
  const std::vector<std::size_t>& dependencies(std::size_t i) const { return dependencies_[i]; }

  // `selected` in dependency order: every instance after those it depends on (directly or through
  // instances not selected), ties by stack then component. Throws Error naming the members of a cycle.
  std::vector<std::size_t> order(const std::vector<std::size_t>& selected) const;

  // The members of a cycle reachable from `i` along dependents (empty when none), as "component in stack".
  std::vector<std::string> cycle_from(std::size_t i) const;

 private:
  std::vector<Instance> instances_;
  std::vector<std::vector<std::size_t>> dependents_;
  std::vector<std::vector<std::size_t>> dependencies_;
};

// A dependent entry as upstream prints it (component, component_type, component_path, namespace, tenant,
// environment, stage, stack, stack_slug, spacelift_stack, atlantis_project, dependents, included_in_dependents,
// settings); `dependents` null.
Value dependent_value(const config::CliConfig& cfg, const Instance& in, bool include_settings, IntegrationNames& names);

// Throws Error naming the cycle's members ("a in s1 → b in s1 → a in s1").
[[noreturn]] void throw_cycle(const std::vector<std::string>& members);

}  // namespace atmos::stacks
