#include "cli/auth_runtime.hpp"

#include "auth/paths.hpp"

#include <algorithm>

namespace atmos::cli {

AuthRuntime::AuthRuntime(config::CliConfig cli_config) : AuthRuntime(cli_config, cli_config.raw.get("auth")) {}

AuthRuntime::AuthRuntime(config::CliConfig cli_config, const Value& auth)
    : cfg(std::move(cli_config)),
      config(auth::AuthConfig::from(auth, cfg.identity_files)),
      transport(env),
      browser(env),
      keyring(auth::make_keyring(keyring_settings(), env, terminal)),
      world{env, transport, clock, terminal, browser, *keyring},
      manager(config,
              auth::compute_realm(env, config.raw().get("realm").is_string() ? config.raw().get("realm").as_string() : "",
                                  cfg.config_dir),
              world) {}

bool AuthRuntime::interactive() const { return terminal.stdin_is_terminal() && !auth::in_ci(env); }

auth::KeyringSettings AuthRuntime::keyring_settings() const {
  Value k = cfg.raw.at({"auth", "keyring"});
  auto str = [&](std::initializer_list<std::string_view> p) {
    Value v = k.at(p);
    return v.is_string() ? v.as_string() : std::string();
  };
  return {str({"type"}), str({"spec", "path"}), str({"spec", "password_env"})};
}

void add_profile_hints(Error& e, const config::CliConfig& cfg, const std::vector<std::string>& identities) {
  ProcessEnvironment env;
  std::vector<std::vector<std::string>> defining(identities.size());
  for (const auto& profile : config::available_profiles(cfg, env)) {
    if (std::find(cfg.active_profiles.begin(), cfg.active_profiles.end(), profile) != cfg.active_profiles.end()) continue;
    auth::AuthConfig other;
    try {
      config::ConfigRequest req;
      req.env = &env;
      req.profiles = {profile};
      config::CliConfig loaded = config::load_cli_config(req);
      other = auth::AuthConfig::from(loaded.raw.get("auth"));
    } catch (const Error&) {
      continue;
    }
    for (std::size_t i = 0; i < identities.size(); ++i)
      if (other.find_identity(identities[i])) defining[i].push_back(profile);
  }
  for (std::size_t i = 0; i < identities.size(); ++i) {
    if (defining[i].empty()) continue;
    std::string list;
    for (const auto& p : defining[i]) list += (list.empty() ? "" : ", ") + p;
    e.hint("Identity `" + identities[i] + "` is defined in profile" + (defining[i].size() > 1 ? "s " : " ") + list +
           ": re-run with --profile " + defining[i].front() + " (or ATMOS_PROFILE=" + defining[i].front() + ")");
  }
}

}  // namespace atmos::cli
