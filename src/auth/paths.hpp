// Where auth state lives (docs/auth.md#files-and-caches): XDG base directories, the realm that isolates
// credentials of different repositories, and the AWS files child processes read.
#pragma once

#include <string>

#include "core/environment.hpp"

namespace atmos::auth {

// ATMOS_XDG_<KIND>_HOME → XDG_<KIND>_HOME → ~/.config | ~/.cache | ~/.local/share.
std::string xdg_config_home(const Environment& env);
std::string xdg_cache_home(const Environment& env);
std::string xdg_data_home(const Environment& env);

struct Realm {
  std::string value;
  std::string source;  // "env", "config", "config-path" or "default"
};

// ATMOS_AUTH_REALM → `auth.realm` → first 8 bytes of sha256(lower-cased config dir) in hex → "default".
// Throws Error(Auth, "invalid realm value") for a value that breaks the realm rules.
Realm compute_realm(const Environment& env, const std::string& configured, const std::string& config_dir);

// The credentials/config pair of one chain root (`<xdg config>/atmos/<realm>/aws/<root>/…`).
struct AwsFilePaths {
  std::string dir;
  std::string credentials;
  std::string config;
};

AwsFilePaths aws_file_paths(const Environment& env, const std::string& realm, const std::string& root);

// The SSO token cache file of one (start URL, region) session.
std::string sso_token_cache_path(const Environment& env, const std::string& start_url, const std::string& region);

}  // namespace atmos::auth
