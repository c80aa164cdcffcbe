#include "auth/providers/sso.hpp"

#include <map>
#include <mutex>
#include <thread>

#include "auth/files.hpp"
#include "auth/paths.hpp"
#include "aws/errors.hpp"
#include "aws/sso_oidc.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

using namespace std::chrono_literals;

// SSO tokens are reused while they have more than this left (docs/auth.md#files-and-caches).
constexpr std::chrono::seconds kTokenBuffer{5 * 60};
// How long a process waits for another one's login: a device code's usual lifetime plus a margin.
constexpr std::chrono::minutes kLoginWait{15};

// Sessions of this process, by cache path (= start URL and region).
std::mutex g_sessions_mutex;
std::map<std::string, SsoSession>& sessions() {
  static std::map<std::string, SsoSession> s;
  return s;
}

}  // namespace

SsoProvider::SsoProvider(const Provider& config, StepContext& context)
    : context_(context),
      name_(config.name),
      start_url_(config.str({"start_url"})),
      region_(config.str({"region"})),
      endpoint_url_(config.str({"spec", "endpoint_url"})),
      cache_(sso_token_cache_path(context.world.env, start_url_, region_)) {
  if (start_url_.empty())
    throw Error(ErrorKind::Auth, "invalid provider config").explain("provider=" + name_ + ": start_url is required for AWS SSO provider");
  if (region_.empty())
    throw Error(ErrorKind::Auth, "invalid provider config").explain("provider=" + name_ + ": region is required for AWS SSO provider");
}

bool SsoProvider::usable(const SsoSession& s) const {
  return !s.access_token.empty() && s.start_url == start_url_ && s.region == region_ &&
         s.expires_at > context_.world.clock.now() + kTokenBuffer;
}

Credentials SsoProvider::credentials_from(const SsoSession& s) const {
  Credentials c;
  c.kind = CredentialKind::SsoToken;
  c.token = s.access_token;
  c.region = region_;
  c.expiration = s.expires_at;
  return c;
}

Credentials SsoProvider::authenticate(const AuthOptions& options) {
  {
    std::lock_guard lock(g_sessions_mutex);
    auto it = sessions().find(cache_.path());
    if (it != sessions().end() && usable(it->second)) {
      log::debug("Using in-memory cached SSO token expiresAt={}", aws::format_iso8601(it->second.expires_at));
      return credentials_from(it->second);
    }
  }
  auto remember = [&](const SsoSession& s) {
    std::lock_guard lock(g_sessions_mutex);
    sessions()[cache_.path()] = s;
    return credentials_from(s);
  };
  if (auto stored = cache_.load(); stored && usable(*stored)) {
    log::debug("Using on-disk cached SSO token path={}", cache_.path());
    return remember(*stored);
  }
  // One login per session across processes; whoever waited re-reads what the winner saved.
  std::optional<FileLock> lock = FileLock::try_lock(cache_.path());
  if (!lock) {
    context_.world.terminal.message("Waiting for another atmos process to finish signing in to " + start_url_ + " …");
    log::debug("Waiting for the SSO login lock path={}.lock", cache_.path());
    lock.emplace(cache_.path(), std::chrono::duration_cast<std::chrono::milliseconds>(kLoginWait));
  }
  std::optional<SsoSession> stored = cache_.load();
  if (stored && usable(*stored)) {
    log::debug("Using on-disk cached SSO token path={}", cache_.path());
    return remember(*stored);
  }
  if (stored) log::debug("On-disk SSO token expired or for another portal path={}", cache_.path());
  if (stored) {
    if (auto refreshed = refresh(*stored)) {
      cache_.save(*refreshed);
      log::debug("SSO token refreshed without browser interaction");
      return remember(*refreshed);
    }
  }
  cache_.check_writable();
  SsoSession fresh = device_flow(options);
  cache_.save(fresh);
  return remember(fresh);
}

std::optional<SsoSession> SsoProvider::refresh(const SsoSession& stored) {
  auto now = context_.world.clock.now();
  if (stored.refresh_token.empty() || stored.client_id.empty() || stored.client_secret.empty() ||
      stored.start_url != start_url_ || stored.region != region_ ||
      (stored.registration_expires_at && *stored.registration_expires_at <= now)) {
    return std::nullopt;
  }
  log::debug("Attempting SSO token refresh startUrl={} region={}", start_url_, region_);
  try {
    aws::SsoOidcClient oidc({context_.world.transport, context_.world.clock, context_.world.env}, {region_, endpoint_url_, {}, {}});
    aws::Token token = oidc.create_token_with_refresh_token(stored.client_id, stored.client_secret, stored.refresh_token);
    SsoSession s = stored;
    s.access_token = std::move(token.access_token);
    s.expires_at = context_.world.clock.now() + std::chrono::seconds(token.expires_in);
    if (!token.refresh_token.empty()) s.refresh_token = std::move(token.refresh_token);
    log::debug("SSO token refresh successful");
    return s;
  } catch (const aws::AwsError& e) {
    log::debug("Refresh-token exchange failed; falling through to device authorization error={}", e.code());
    return std::nullopt;
  }
}

SsoSession SsoProvider::device_flow(const AuthOptions& options) {
  const Environment& env = context_.world.env;
  Terminal& terminal = context_.world.terminal;
  bool ci = in_ci(env);
  if (!options.interactive || ci || (!terminal.stderr_is_terminal() && !context_.world.browser.available())) {
    std::string command = options.login_command.empty() ? "atmos auth login --provider " + name_ : options.login_command;
    Error e(ErrorKind::Auth, "authentication failed", 2);
    e.explain("The IAM Identity Center session for " + start_url_ + " has expired or was never started, and " +
              std::string(!options.interactive ? "this command does not sign in interactively"
                          : ci                  ? "the device authorization flow does not start in CI (CI is set)"
                                                : "AWS SSO device flow requires an interactive terminal (TTY) or $BROWSER for user authorization") +
              ".");
    e.hint("Run `" + command + "` in a terminal, then retry");
    e.hint("For CI/CD pipelines, use AWS environment credentials or GitHub OIDC (a github/oidc provider with an aws/assume-role identity)");
    throw e;
  }
  aws::SsoOidcClient oidc({context_.world.transport, context_.world.clock, env}, {region_, endpoint_url_, {}, {}});
  log::debug("Registering SSO client");
  aws::RegisterClientRequest reg;
  reg.client_name = "atmos-auth";
  reg.scopes = {"sso:account:access"};
  reg.grant_types = {std::string(aws::kDeviceCodeGrant), std::string(aws::kRefreshTokenGrant)};
  aws::RegisteredClient client = oidc.register_client(reg);
  log::debug("SSO client registered successfully");
  log::debug("Starting device authorization");
  aws::DeviceAuthorization device;
  try {
    device = oidc.start_device_authorization(client.client_id, client.client_secret, start_url_);
  } catch (const aws::AwsError& e) {
    throw Error(ErrorKind::Auth, "aws sso device authorization failed").explain(e.message() + "\n" + e.explanation());
  }
  std::string url = device.verification_uri_complete.empty() ? device.verification_uri : device.verification_uri_complete;
  log::debug("Displaying authentication prompt url={} code={} isCI={}", device.verification_uri, device.user_code, ci);
  terminal.message("🔐 AWS SSO Authentication Required\nVerification Code: " + device.user_code + "\nOpening browser to: " + url +
                   "\nIf the browser does not open, visit the URL above and enter the code.");
  if (context_.world.browser.open(url)) log::debug("Browser opened successfully");
  terminal.message("Waiting for authentication...");
  auto interval = std::chrono::seconds(std::max(1, device.interval));
  auto deadline = context_.world.clock.now() + std::chrono::seconds(device.expires_in > 0 ? device.expires_in : 600);
  for (;;) {
    context_.world.clock.sleep_for(interval);
    if (context_.world.clock.now() > deadline)
      throw Error(ErrorKind::Auth, "aws sso token creation failed")
          .explain("AWS SSO authentication timed out waiting for browser confirmation.")
          .hint("Run `" + (options.login_command.empty() ? "atmos auth login --provider " + name_ : options.login_command) +
                "` again and approve the code in the browser");
    try {
      aws::Token token = oidc.create_token_with_device_code(client.client_id, client.client_secret, device.device_code);
      SsoSession s;
      s.access_token = std::move(token.access_token);
      s.expires_at = context_.world.clock.now() + std::chrono::seconds(token.expires_in);
      s.region = region_;
      s.start_url = start_url_;
      s.refresh_token = std::move(token.refresh_token);
      s.client_id = client.client_id;
      s.client_secret = client.client_secret;
      if (client.client_secret_expires_at > 0)
        s.registration_expires_at = aws::TimePoint(std::chrono::seconds(client.client_secret_expires_at));
      terminal.message("✓ Signed in to " + start_url_);
      return s;
    } catch (const aws::AwsError& e) {
      if (e.code() == "AuthorizationPendingException") continue;
      if (e.code() == "SlowDownException") {
        interval += std::chrono::seconds(5);
        log::debug("SSO token polling slowed down interval={}s", interval.count());
        continue;
      }
      std::string why = e.code() == "AccessDeniedException"  ? "The sign-in request was denied in the browser."
                        : e.code() == "ExpiredTokenException" ? "The verification code expired before it was approved."
                                                              : "Failed to create AWS SSO access token.";
      throw Error(ErrorKind::Auth, "aws sso token creation failed").explain(why + "\n" + e.message());
    }
  }
}

void SsoProvider::logout() {
  {
    std::lock_guard lock(g_sessions_mutex);
    sessions().erase(cache_.path());
  }
  // Under the login lock when it is free, which then goes too; a login in progress keeps its lock.
  std::optional<FileLock> lock = FileLock::try_lock(cache_.path());
  if (cache_.remove()) log::debug("Deleted SSO token cache path={}", cache_.path());
  if (lock) lock->remove_lock_file();
}

}  // namespace atmos::auth
