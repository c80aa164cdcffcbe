#include "auth/paths.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

#include "auth/digest.hpp"
#include "core/error.hpp"

namespace atmos::auth {
namespace {

std::string home(const Environment& env) { return env.get_or("HOME", "/"); }

std::string xdg(const Environment& env, const char* atmos_var, const char* var, const char* fallback) {
  if (auto v = env.get(atmos_var); v && !v->empty()) return *v;
  if (auto v = env.get(var); v && !v->empty()) return *v;
  return (std::filesystem::path(home(env)) / fallback).string();
}

void check_realm(const std::string& value, const std::string& where) {
  static const std::regex re(R"(^[a-z0-9_-]{1,64}$)");
  bool ok = std::regex_match(value, re) && value.front() != '-' && value.front() != '_' && value.back() != '-' &&
            value.back() != '_' && value.find("--") == std::string::npos && value.find("__") == std::string::npos &&
            value.find("-_") == std::string::npos && value.find("_-") == std::string::npos;
  if (!ok)
    throw Error(ErrorKind::Auth, "invalid realm value")
        .explain(where + ": `" + value + "` must be 1-64 characters of a-z, 0-9, `-` and `_`, not starting or ending with `-`/`_`, without doubled separators");
}

}  // namespace

std::string xdg_config_home(const Environment& env) { return xdg(env, "ATMOS_XDG_CONFIG_HOME", "XDG_CONFIG_HOME", ".config"); }
std::string xdg_cache_home(const Environment& env) { return xdg(env, "ATMOS_XDG_CACHE_HOME", "XDG_CACHE_HOME", ".cache"); }
std::string xdg_data_home(const Environment& env) { return xdg(env, "ATMOS_XDG_DATA_HOME", "XDG_DATA_HOME", ".local/share"); }

Realm compute_realm(const Environment& env, const std::string& configured, const std::string& config_dir) {
  if (auto v = env.get("ATMOS_AUTH_REALM"); v && !v->empty()) {
    check_realm(*v, "ATMOS_AUTH_REALM environment variable");
    return {*v, "env"};
  }
  if (!configured.empty()) {
    check_realm(configured, "auth.realm");
    return {configured, "config"};
  }
  if (config_dir.empty()) return {"default", "default"};
  std::string clean = std::filesystem::path(config_dir).lexically_normal().generic_string();
  if (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  std::transform(clean.begin(), clean.end(), clean.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string digest = sha256_hex(clean);
  return {digest.substr(0, 16), "config-path"};
}

AwsFilePaths aws_file_paths(const Environment& env, const std::string& realm, const std::string& root) {
  std::filesystem::path dir = std::filesystem::path(xdg_config_home(env)) / "atmos" / realm / "aws" / root;
  return {dir.string(), (dir / "credentials").string(), (dir / "config").string()};
}

std::string sso_token_cache_path(const Environment& env, const std::string& start_url, const std::string& region) {
  std::string key = start_url + "|" + region;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string name;
  for (unsigned char c : digest) {
    name += kHex[c >> 4];
    name += kHex[c & 15];
  }
  return (std::filesystem::path(xdg_cache_home(env)) / "atmos" / "aws-sso" / "sessions" / (name + ".json")).string();
}

}  // namespace atmos::auth
