// The pieces every command that authenticates needs (auth commands, terraform): configuration, the outside
// world (environment, HTTP, clock, terminal, browser, keyring) and the auth manager over them.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_config.hpp"
#include "auth/identity_resolution.hpp"
#include "auth/manager.hpp"
#include "auth/store/keyring.hpp"
#include "auth/world.hpp"
#include "aws/clock.hpp"
#include "aws/curl_transport.hpp"
#include "config/cli_config.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"

namespace atmos::cli {

// libcurl (and OpenSSL behind it) is only initialised when a command really calls AWS, so cache hits stay fast.
class LazyCurlTransport final : public aws::HttpTransport {
 public:
  explicit LazyCurlTransport(const Environment& env) : env_(env) {}
  aws::HttpResponse send(const aws::HttpRequest& request, const aws::HttpTimeouts& timeouts) override {
    {
      std::lock_guard lock(mutex_);
      if (!curl_) curl_ = std::make_unique<aws::CurlTransport>(env_);
    }
    return curl_->send(request, timeouts);
  }

 private:
  const Environment& env_;
  std::mutex mutex_;
  std::unique_ptr<aws::CurlTransport> curl_;
};

// A numbered menu on the terminal.
class TerminalChooser final : public auth::IdentityChooser {
 public:
  explicit TerminalChooser(auth::Terminal& terminal) : terminal_(terminal) {}
  std::optional<std::string> choose(const std::string& title, const std::vector<std::string>& options) override {
    std::string menu = title;
    for (std::size_t i = 0; i < options.size(); ++i) menu += "\n  " + std::to_string(i + 1) + ") " + options[i];
    terminal_.message(menu);
    auto answer = terminal_.prompt("Number", false);
    if (!answer) return std::nullopt;
    try {
      std::size_t n = std::stoul(*answer);
      if (n >= 1 && n <= options.size()) {
        terminal_.message("✓ Selected identity: " + options[n - 1]);
        return options[n - 1];
      }
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }

 private:
  auth::Terminal& terminal_;
};

// Built once per process. `auth` is the auth section to use (atmos.yaml + profile for `atmos auth`, the
// component's merged section for terraform).
struct AuthRuntime {
  explicit AuthRuntime(config::CliConfig cli_config);
  AuthRuntime(config::CliConfig cli_config, const Value& auth);

  // Prompts and selectors are allowed: a terminal on stdin and not CI.
  bool interactive() const;
  auth::KeyringSettings keyring_settings() const;

  config::CliConfig cfg;
  auth::AuthConfig config;
  ProcessEnvironment env;
  LazyCurlTransport transport;
  aws::SystemClock clock;
  auth::ProcessTerminal terminal;
  auth::ProcessBrowser browser;
  std::unique_ptr<auth::Keyring> keyring;
  auth::World world;
  auth::Manager manager;
};

// When a command names identities the active configuration does not define: adds a hint for each profile that
// does ("Identity `x` is defined in profile `p`" and "Re-run with --profile p"). Reads the other profiles only on
// this error path.
void add_profile_hints(Error& e, const config::CliConfig& cfg, const std::vector<std::string>& identities);

}  // namespace atmos::cli
