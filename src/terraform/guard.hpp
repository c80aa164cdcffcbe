// Nothing silently ignored: configuration upstream acts on when it runs Terraform but this binary does not stops a
// command with an error naming the setting and the file it came from, and a YAML function this binary did not
// evaluate never reaches Terraform as a literal "!tag args" string.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/value.hpp"

namespace atmos::terraform {

struct UnsupportedSetting {
  std::string setting;  // e.g. "hooks.store-outputs (kind `store`)"
  std::string source;   // "file:line" relative to the base path when known, else ""
};

// Whether this binary runs a hook (cli/hooks.hpp): kind `store` (or the legacy `command: store`) whose events are
// all after-terraform-apply (or -deploy, which upstream treats as apply).
bool runs_store_hook(const Value& hook);

// What of the component `section` (and the atmos.yaml `stores`) upstream would act on: `hooks` other than the
// store hooks this binary runs, `source`,
// `provision`, `retry`, `dependencies.tools`, stores of a kind other than aws-ssm-parameter-store. Paths in
// `source` are shown relative to `base_path_abs`.
std::vector<UnsupportedSetting> unsupported_settings(const Value& section, const Value& stores, const std::string& base_path_abs);

// The error for a non-empty list: every setting on its own line, and how to proceed anyway.
Error unsupported_error(const std::string& component, const std::string& stack, const std::vector<UnsupportedSetting>& found);

// Throws Error for the first string in vars, env, backend, providers, required_providers or generate that is still
// a YAML function call ("!secret db/password"), naming the tag, its file and line and where in the section it is.
void check_unevaluated_tags(const Value& section, const std::string& base_path_abs);

}  // namespace atmos::terraform
