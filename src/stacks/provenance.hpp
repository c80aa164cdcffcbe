// Where a component's values come from, as upstream's `describe component` reports it:
// `sources` (ProcessConfigSources: every manifest that sets each var/env/settings/backend key, highest
// precedence first) and `deps` (FindComponentDependenciesLegacy: the manifests the component depends on).
#pragma once

#include <string>
#include <vector>

#include "stacks/engine.hpp"

namespace atmos::stacks {

// {backend, env, settings, vars} → {key → {final_value, name, stack_dependencies}}.
Value config_sources(const Manifest& m, const std::string& component, const Value& section);

// Identities whose `default` the stack manifests (not atmos.yaml or profiles) set for the component, with the
// file of the highest-precedence setting, for those that end up `default: true`. Names as written.
struct StackDefaultIdentity {
  std::string identity;
  std::string file;
};
std::vector<StackDefaultIdentity> stack_default_identities(const Manifest& m, const std::string& component,
                                                           const Value& section);

// Sorted file keys: the imports that set something for the component, and the manifest itself.
std::vector<std::string> component_dependencies(const Manifest& m, const std::string& component, const Value& section);

}  // namespace atmos::stacks
