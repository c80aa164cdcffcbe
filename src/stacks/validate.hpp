// `atmos validate stacks` (docs/stacks.md#what-describe-and-list-print): every manifest processes, no component is defined twice
// for one stack with different configuration, and every manifest file satisfies the manifest JSON Schema.
#pragma once

#include <string>
#include <vector>

#include "config/cli_config.hpp"
#include "stacks/engine.hpp"

namespace atmos::stacks {

// Returns the problems found (empty = valid). Processing errors are reported, not thrown.
std::vector<std::string> validate_stacks(StackEngine& engine);

// JSON-Schema problems of one parsed manifest (tags already turned into strings), one line each.
std::vector<std::string> schema_errors(const Value& manifest);

// Command-line overrides of `validate component` (--schema-path, --schema-type); empty = the section's own.
struct PolicyOverrides {
  std::string schema_path;
  std::string schema_type;
};

// The JSON Schema policies of a component (`settings.validation`, upstream's ValidateComponent in
// internal/exec/validate_component.go), used by `validate component` and before every `terraform` command.
// Each enabled policy validates the component section (plus `process_env`). Throws Error "validation failed" naming
// the policy and the schema's messages on a violation; an OPA policy, an unknown schema type, a missing or invalid
// schema file are errors too. Does nothing when there are no policies.
void validate_component_policies(const config::CliConfig& cfg, const std::string& component, const std::string& stack,
                                 const Value& section, const PolicyOverrides& overrides = {});

}  // namespace atmos::stacks
