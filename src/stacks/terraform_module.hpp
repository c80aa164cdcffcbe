// What upstream prints as `component_info.terraform_config`: HashiCorp's terraform-config-inspect summary of
// a Terraform module directory (variables, outputs, required core/providers, provider configs, resources,
// module calls), as a tree whose maps keep the Go structs' field order.
//
// Only what terraform-config-inspect reads statically is evaluated: a variable default that is not a
// literal (references, function calls) is null, as there.
#pragma once

#include <string>

#include "core/value.hpp"

namespace atmos::stacks {

// Reads every `*.tf` file of `dir` (sorted by name). A missing directory yields null. Syntax the reader does
// not understand is skipped, never fatal: describe must not fail on a component it cannot inspect.
Value inspect_terraform_module(const std::string& dir);

}  // namespace atmos::stacks
