// The CLI configuration: every atmos.yaml source merged (docs/stacks.md#cli-configuration), profiles applied,
// environment and flag overrides, and the derived absolute paths the rest of the program uses.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/environment.hpp"
#include "core/merge.hpp"
#include "core/value.hpp"

namespace atmos::config {

// What the command line says about configuration (flags are optional; unset = not given).
struct ConfigRequest {
  std::string cwd;  // absolute
  const Environment* env = nullptr;
  std::vector<std::string> config_files;  // --config
  std::vector<std::string> config_dirs;   // --config-path
  std::optional<std::string> base_path;   // --base-path
  std::vector<std::string> profiles;      // --profile (repeatable / comma lists)
  std::optional<std::string> logs_level;  // --logs-level
  std::optional<std::string> logs_file;   // --logs-file
  std::optional<std::string> stacks_dir;  // --stacks-dir
  std::optional<std::string> terraform_dir;      // --terraform-dir
  std::optional<std::string> terraform_command;  // --terraform-command
  std::optional<std::string> list_merge_strategy;  // --settings-list-merge-strategy
};

struct CliConfig {
  Value raw;                              // the merged configuration tree
  std::vector<std::string> loaded_files;  // in merge order
  bool any_file = false;                  // false => built-in defaults applied
  std::string config_dir;                 // directory of the last atmos.yaml loaded (absolute)
  std::vector<std::string> active_profiles;
  std::vector<std::string> profile_files;  // every file merged from the active profiles
  std::map<std::string, std::string> identity_files;  // lower-case identity name → file that defined it last

  std::string base_path;        // as configured (echoed verbatim)
  std::string base_path_abs;    // resolved
  std::string stacks_base_path;            // raw `stacks.base_path`
  std::string stacks_base_abs;
  std::vector<std::string> included_paths;  // raw
  std::vector<std::string> excluded_paths;  // raw
  std::vector<std::string> included_abs;    // joined onto stacks_base_abs
  std::vector<std::string> excluded_abs;
  std::string name_pattern;
  std::string name_template;
  std::string terraform_base_path;  // raw `components.terraform.base_path`
  std::string terraform_dir_abs;
  std::string terraform_command;    // "" => terraform
  bool inherit_metadata = true;
  ListMergeStrategy list_merge_strategy = ListMergeStrategy::Replace;
  std::string list_merge_strategy_name;
  bool templates_enabled = false;
  bool ignore_missing_template_values = false;
  std::string log_level = "Warning";
  std::string log_file = "/dev/stderr";

  // Typed getters over `raw` (dot paths).
  Value get(std::initializer_list<std::string_view> path) const { return raw.at(path); }
  std::string get_string(std::initializer_list<std::string_view> path, std::string fallback = "") const;
  bool get_bool(std::initializer_list<std::string_view> path, bool fallback = false) const;
};

// `atmos_cli_config` as upstream's describe component prints it: base_path, components (every component
// type's struct with defaults), stacks and workflows, in Go struct field order.
Value atmos_cli_config_dump(const CliConfig& cfg);

// `components.terraform` / `stacks` as Go structs (field order, defaults filled).
Value terraform_settings_dump(const CliConfig& cfg);
Value stacks_settings_dump(const CliConfig& cfg);

// Loads and merges everything. Throws Error (exit 2 for an unknown profile, 1 otherwise).
CliConfig load_cli_config(const ConfigRequest& request);

// Names of the profiles that can be activated (every search location, sorted).
std::vector<std::string> available_profiles(const CliConfig& cfg, const Environment& env);

// Upstream's `append_user_agent` default.
std::string default_user_agent();

}  // namespace atmos::config
