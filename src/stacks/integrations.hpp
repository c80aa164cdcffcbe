// The Spacelift stack and Atlantis project a Terraform component instance maps to (docs/affected.md#integrations),
// as upstream names them in `describe affected` / `describe dependents` (internal/exec/spacelift_utils.go
// BuildSpaceliftStackNameFromComponentConfig, internal/exec/atlantis_utils.go
// BuildAtlantisProjectNameFromComponentConfig, pkg/config/utils.go GetContextPrefix / ReplaceContextTokens).
#pragma once

#include <optional>
#include <string>

#include "config/cli_config.hpp"
#include "core/value.hpp"
#include "stacks/manifest.hpp"

namespace atmos::stacks {

// The context tokens a component's vars give (namespace, tenant, environment, stage, region, attributes) plus
// the component, with `/` replaced by `-`.
struct NamingContext {
  std::string namespace_, tenant, environment, stage, region, component;
  std::vector<std::string> attributes;
};

NamingContext naming_context(const Value& vars, const std::string& component);

// upstream's ReplaceContextTokens: `{namespace}`, `{tenant}`, `{environment}`, `{stage}`, `{region}`,
// `{component}`, `{attributes}` (joined with `-`); `{base-component}`, `{component-path}`, `{workspace}` and
// `{terraform_workspace}` become empty. One pass: a replacement is never scanned again.
std::string replace_context_tokens(const NamingContext& context, const std::string& pattern);

class IntegrationNames {
 public:
  explicit IntegrationNames(const config::CliConfig& cfg) : cfg_(cfg) {}

  // The Spacelift stack of a Terraform instance: "" unless `settings.spacelift.workspace_enabled` is true; then
  // `settings.spacelift.stack_name_pattern` (context tokens), else `settings.spacelift.stack_name`, else
  // `<stack name prefix>-<component>`. Throws Error when the prefix cannot be computed (no
  // `stacks.name_template`/`name_pattern`, a context part missing, a template error).
  std::string spacelift_stack(const std::string& stack, const std::string& component, const Value& section);

  // The Atlantis project: the `name` of `settings.atlantis.project_template`, else of the atmos.yaml
  // `integrations.atlantis.project_templates.<settings.atlantis.project_template_name>`, with context tokens
  // replaced; "" when there is none.
  std::string atlantis_project(const std::string& component, const Value& section) const;

  // Appends `spacelift_stack` and `atlantis_project` to `out` when they are not empty. A naming error leaves
  // the field out, as upstream does for deleted instances and dependents.
  void append_if_named(const std::string& stack, const std::string& component, const Value& section, Map& out);

  // The stack name prefix upstream's Spacelift naming uses: `stacks.name_template` rendered with the given vars
  // and settings, else `stacks.name_pattern` filled from the context (every part it names must be set).
  std::string context_prefix(const std::string& stack, const NamingContext& context, const Value& vars,
                             const Value& settings);

 private:
  const config::CliConfig& cfg_;
  std::optional<TemplateRenderer> renderer_;  // created on first use of stacks.name_template
};

}  // namespace atmos::stacks
