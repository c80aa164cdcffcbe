// The `generate` section: files written into the component directory (upstream pkg/terraform/generate).
//
// A string value is a Go template rendered over the template context; a map is rendered (every string in it a
// template) and serialized by the file's extension: `.json` (and `.tf.json`) 2-space indented JSON, `.yaml`/`.yml`
// YAML, `.tf`/`.hcl` HCL blocks and attributes, `.tfvars` flat HCL attributes, anything else JSON.
#pragma once

#include <string>
#include <vector>

#include "core/value.hpp"

namespace atmos::terraform {

// The variables templates see (upstream BuildTemplateContext): vars, settings, env, backend, backend_type,
// providers, metadata, the context variables from vars (namespace, tenant, environment, stage, region),
// atmos_component, atmos_stack, atmos_stack_file, component, base_component, workspace.
Value generate_template_context(const Value& section, const std::string& atmos_component, const std::string& stack,
                                const std::string& workspace);

// The bytes of one generated file. Throws Error naming the file for a bad template or a value the format cannot
// hold (HCL attribute names must be identifiers; labeled blocks need maps).
std::string render_generated_file(const std::string& filename, const Value& content, const Value& context);

// HCL text of a map (upstream's hclwrite rendering): `locals`/`terraform` keys become blocks, `variable`,
// `output`, `provider`, `module` labeled blocks, `resource`/`data` doubly labeled blocks, anything else an
// attribute. With `tfvars`, every key is an attribute.
std::string to_hcl(const Value& map, bool tfvars);

// `terraform {\n  backend "<type>" {\n    <attributes>\n  }\n}\n` (upstream WriteTerraformBackendConfigToFileAsHcl).
std::string hcl_backend_block(const std::string& backend_type, const Value& backend);

// The file names of a `generate` section (a map; anything else has none). Names that would leave the component
// directory (absolute, `..`, empty) are refused with an Error naming them.
std::vector<std::string> generated_file_names(const Value& generate);

}  // namespace atmos::terraform
