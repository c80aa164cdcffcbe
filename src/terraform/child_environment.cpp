#include "terraform/child_environment.hpp"

#include <charconv>

#include "core/json_emit.hpp"

extern char** environ;

namespace atmos::terraform {

std::string go_format_v(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return "<nil>";
    case Kind::Bool: return v.as_bool() ? "true" : "false";
    case Kind::Int: return std::to_string(v.as_int());
    case Kind::Uint: return std::to_string(v.as_uint());
    case Kind::Float: return format_go_float(v.as_float(), 'g');
    case Kind::String: return v.as_string();
    case Kind::List: {
      std::string out = "[";
      for (const auto& item : v.as_list()) out += (out.size() > 1 ? " " : "") + go_format_v(item);
      return out + "]";
    }
    case Kind::Map: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, item] : v.as_map()) {
        out += (first ? "" : " ") + k + ":" + go_format_v(item);
        first = false;
      }
      return out + "]";
    }
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> component_env_vars(const Value& env_section) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!env_section.is_map()) return out;
  for (const auto& [k, v] : env_section.as_map()) {
    if (v.is_null() || (v.is_string() && v.as_string() == "null")) continue;
    out.emplace_back(k, go_format_v(v));
  }
  return out;
}

std::string plugin_cache_dir(const EnvMap& os_env, const std::vector<std::pair<std::string, std::string>>& component_env,
                             const EnvironmentSettings& settings) {
  auto usable = [](const std::string& dir) { return !dir.empty() && dir != "/"; };
  if (auto it = os_env.find("TF_PLUGIN_CACHE_DIR"); it != os_env.end()) {
    if (usable(it->second)) return "";
  } else {
    for (const auto& [k, v] : component_env)
      if (k == "TF_PLUGIN_CACHE_DIR" && usable(v)) return "";
  }
  if (!settings.plugin_cache) return "";
  return atmos_plugin_cache_dir(os_env, settings);
}

std::string atmos_plugin_cache_dir(const EnvMap& os_env, const EnvironmentSettings& settings) {
  if (!settings.plugin_cache_dir.empty()) return settings.plugin_cache_dir;
  auto get = [&](const char* name) {
    auto it = os_env.find(name);
    return it == os_env.end() ? std::string() : it->second;
  };
  std::string cache = get("ATMOS_XDG_CACHE_HOME");
  if (cache.empty()) cache = get("XDG_CACHE_HOME");
  if (cache.empty()) cache = get("HOME") + "/.cache";
  return cache + "/atmos/terraform/plugins";
}

EnvMap process_environment() {
  EnvMap env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string_view::npos) env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

EnvMap child_environment(const EnvMap& os_env, const Value& component_env, const IdentityEnvironment& identity,
                         const EnvironmentSettings& settings, const std::string& plugin_cache) {
  EnvMap env = os_env;
  for (auto& [k, v] : component_env_vars(component_env)) env[k] = v;
  for (const auto& name : identity.unset) env.erase(name);
  for (const auto& [k, v] : identity.set) env[k] = v;
  env["ATMOS_CLI_CONFIG_PATH"] = settings.cli_config_path;
  env["ATMOS_BASE_PATH"] = settings.base_path_abs;
  env["TF_IN_AUTOMATION"] = "true";
  std::string user_agent = settings.append_user_agent;
  if (auto it = os_env.find("TF_APPEND_USER_AGENT"); it != os_env.end() && !it->second.empty()) user_agent = it->second;
  if (!user_agent.empty()) env["TF_APPEND_USER_AGENT"] = user_agent;
  if (!plugin_cache.empty()) {
    env["TF_PLUGIN_CACHE_DIR"] = plugin_cache;
    env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true";
  }
  int level = 0;
  if (auto it = os_env.find("ATMOS_SHLVL"); it != os_env.end())
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), level);
  env["ATMOS_SHLVL"] = std::to_string(level + 1);
  return env;
}

std::vector<std::string> env_entries(const EnvMap& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace atmos::terraform
