// The environment of the Terraform child process (docs/architecture.md#one-command-from-argv-to-terraform, step 8).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/value.hpp"
#include "terraform/identity.hpp"

namespace atmos::terraform {

using EnvMap = std::map<std::string, std::string>;

// What the child's environment takes from atmos.yaml and the caller's location.
struct EnvironmentSettings {
  std::string cli_config_path;    // directory of the atmos.yaml that was loaded
  std::string base_path_abs;      // abs(base_path) against the current directory (upstream's quirk)
  std::string append_user_agent;  // components.terraform.append_user_agent
  bool plugin_cache = true;       // components.terraform.plugin_cache
  std::string plugin_cache_dir;   // components.terraform.plugin_cache_dir; empty = XDG cache default
};

// A value as Go's `%v` prints it (maps as `map[k:v]` in key order, lists as `[a b]`, null as `<nil>`).
std::string go_format_v(const Value& v);

// Component `env` entries as strings; null values and the literal string "null" are dropped (they do not unset
// an inherited variable).
std::vector<std::pair<std::string, std::string>> component_env_vars(const Value& env_section);

// Atmos's plugin cache directory: components.terraform.plugin_cache_dir, else $ATMOS_XDG_CACHE_HOME,
// $XDG_CACHE_HOME or ~/.cache, then atmos/terraform/plugins (upstream's xdg.GetXDGCacheDir).
std::string atmos_plugin_cache_dir(const EnvMap& os_env, const EnvironmentSettings& settings);

// The plugin cache directory atmos would set, or "" when the user manages their own (TF_PLUGIN_CACHE_DIR set to
// something other than "" or "/") or the cache is off.
std::string plugin_cache_dir(const EnvMap& os_env, const std::vector<std::pair<std::string, std::string>>& component_env,
                             const EnvironmentSettings& settings);

// The whole child environment, later sources winning: the OS environment, the component's `env`, the identity's
// variables (and removals), ATMOS_CLI_CONFIG_PATH, ATMOS_BASE_PATH, TF_IN_AUTOMATION, TF_APPEND_USER_AGENT, the
// plugin cache, ATMOS_SHLVL. `plugin_cache` is plugin_cache_dir()'s result.
EnvMap child_environment(const EnvMap& os_env, const Value& component_env, const IdentityEnvironment& identity,
                         const EnvironmentSettings& settings, const std::string& plugin_cache);

// This process's own environment (`environ`), the `os_env` of child_environment.
EnvMap process_environment();

// `KEY=VALUE` strings for execve.
std::vector<std::string> env_entries(const EnvMap& env);

}  // namespace atmos::terraform
