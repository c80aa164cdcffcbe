#include "cli/auth_runtime.hpp"

#include "auth/paths.hpp"

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

}  // namespace atmos::cli
