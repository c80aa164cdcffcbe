// Final component sections of one top-level manifest (docs/stacks.md#component-sections-and-inheritance): global layers,
// `component:` / `metadata.inherits` inheritance, overrides, backend defaults.
#pragma once

#include <string>

#include "config/cli_config.hpp"
#include "core/value.hpp"

namespace atmos::stacks {

// `stack` is a manifest merged with its imports; `file_key` names it in errors.
// Returns {component name → final section} for `components.terraform`. Throws Error on invalid sections,
// unknown base components, inheritance cycles and backend mismatches.
Value process_terraform_components(const config::CliConfig& cfg, const Value& stack, const std::string& file_key);

}  // namespace atmos::stacks
