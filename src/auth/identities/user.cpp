#include "auth/identities/user.hpp"

#include <algorithm>
#include <cctype>

#include "auth/store/keyring.hpp"
#include "aws/sts.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr long long kDefaultDuration = 43200;
constexpr long long kMaxWithoutMfa = 43200;
constexpr long long kMaxWithMfa = 129600;

bool is_mfa_error(const aws::AwsError& e) {
  const std::string& m = e.info().message;
  return e.code() == "AccessDenied" && (m.find("MultiFactorAuthentication failed") != std::string::npos ||
                                        m.find("invalid MFA") != std::string::npos || m.find("MFA token") != std::string::npos ||
                                        m.find("one time pass code") != std::string::npos);
}

bool six_digits(const std::string& s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::optional<long long> parse_session_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) return std::stoll(text);
  if (text.size() > 1 && text.back() == 'd' &&
      std::all_of(text.begin(), text.end() - 1, [](unsigned char c) { return std::isdigit(c); }))
    return std::stoll(text.substr(0, text.size() - 1)) * 86400;
  return parse_go_duration_seconds(text);
}

UserIdentity::UserIdentity(const Identity& config, StepContext& context) : context_(context), config_(config) {
  bool key = !config.str({"credentials", "access_key_id"}).empty();
  bool secret = !config.str({"credentials", "secret_access_key"}).empty();
  if (key != secret)
    throw Error(ErrorKind::Auth, "invalid identity config")
        .explain("identity=" + config.name + ": access_key_id and secret_access_key must both be provided or both be empty");
}

Credentials UserIdentity::authenticate(const Credentials&, const AuthOptions& options) { return authenticate_standalone(options); }

AwsUserKeys UserIdentity::long_lived_keys() const {
  AwsUserKeys keys;
  std::string yaml_key = config_.str({"credentials", "access_key_id"});
  if (!yaml_key.empty()) {
    log::debug("Using credentials from YAML config identity={}", config_.name);
    keys.access_key_id = yaml_key;
    keys.secret_access_key = Secret(config_.str({"credentials", "secret_access_key"}));
  } else {
    std::optional<Secret> stored;
    try {
      stored = context_.world.keyring.get(keyring_key(context_.realm, config_.key));
    } catch (const KeyringError& e) {
      throw Error(ErrorKind::Auth, "failed to read AWS user credentials from keyring")
          .explain("identity=" + config_.name + ", keyring=" + context_.world.keyring.type() + ": " + e.what());
    }
    std::optional<AwsUserKeys> decoded = stored ? decode_user_keys(*stored) : std::nullopt;
    if (!decoded)
      throw Error(ErrorKind::Auth, "aws user not configured")
          .explain("No access keys for identity `" + config_.name + "` in the configuration or the " + context_.world.keyring.type() + " keyring.")
          .hint("Please configure credentials by running: atmos auth user configure --identity " + config_.name);
    log::debug("Using credentials from keyring identity={}", config_.name);
    keys = std::move(*decoded);
  }
  std::string yaml_mfa = config_.str({"credentials", "mfa_arn"});
  if (!yaml_mfa.empty()) {
    if (!keys.mfa_arn.empty() && keys.mfa_arn != yaml_mfa) log::debug("Overriding MFA ARN from YAML config");
    keys.mfa_arn = yaml_mfa;
  }
  std::string yaml_duration = config_.str({"session", "duration"});
  if (!yaml_duration.empty()) keys.session_duration = yaml_duration;
  return keys;
}

std::string UserIdentity::mfa_code(const AuthOptions& options, const std::string& mfa_arn, bool retry) const {
  if (!retry && !options.mfa_token.empty()) return options.mfa_token;
  if (!options.interactive || !context_.world.terminal.stdin_is_terminal())
    throw Error(ErrorKind::Auth, "authentication failed", 2)
        .explain("Identity `" + config_.name + "` needs a code from MFA device " + mfa_arn + " and there is no terminal to ask for it.")
        .hint("Pass --mfa-token <6 digits> or set ATMOS_MFA_TOKEN");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto code = context_.world.terminal.prompt("Enter MFA Token (MFA Device: " + mfa_arn + ")", false);
    if (!code) throw Error(ErrorKind::Auth, "user aborted", 130);
    if (six_digits(*code)) return *code;
    context_.world.terminal.message("The MFA token must be exactly 6 digits.");
  }
  throw Error(ErrorKind::Auth, "authentication failed").explain("The MFA token must be exactly 6 digits.");
}

Credentials UserIdentity::authenticate_standalone(const AuthOptions& options) {
  AwsUserKeys keys = long_lived_keys();
  std::string region = config_.str({"credentials", "region"});
  if (region.empty()) region = "us-east-1";
  long long duration = kDefaultDuration;
  if (!keys.session_duration.empty()) {
    if (auto d = parse_session_duration(keys.session_duration)) duration = *d;
  }
  long long max = keys.mfa_arn.empty() ? kMaxWithoutMfa : kMaxWithMfa;
  if (duration > max) log::warn("Session duration exceeds AWS maximum, clamping to maximum identity={} max={}s", config_.name, max);
  duration = std::clamp(duration, 900LL, max);

  aws::Credentials long_lived;
  long_lived.access_key_id = keys.access_key_id;
  long_lived.secret_access_key = keys.secret_access_key;
  aws::StsClient sts({context_.world.transport, context_.world.clock, context_.world.env},
                     {region, config_.str({"spec", "endpoint_url"}), {}, {}});
  aws::GetSessionTokenRequest req;
  req.duration_seconds = static_cast<int>(duration);
  req.serial_number = keys.mfa_arn;
  bool from_terminal = keys.mfa_arn.empty() ? false : options.mfa_token.empty();
  if (!keys.mfa_arn.empty()) req.token_code = mfa_code(options, keys.mfa_arn, false);
  for (int attempt = 0;; ++attempt) {
    try {
      log::debug("Getting session token identity={} mfa={} duration={}s", config_.name, !keys.mfa_arn.empty(), duration);
      Credentials out;
      out.aws = sts.get_session_token(long_lived, req);
      out.region = region;
      out.expiration = out.aws.expiration;
      return out;
    } catch (const aws::AwsError& e) {
      log::debug("GetSessionToken failed identity={} code={}", config_.name, e.code());
      if (is_mfa_error(e)) {
        if (attempt == 0 && from_terminal) {
          log::warn("MFA token was invalid, prompting for new token");
          context_.world.terminal.message("The MFA token was rejected; enter the next code from the device.");
          req.token_code = mfa_code(options, keys.mfa_arn, true);
          continue;
        }
        throw Error(ErrorKind::Auth, "authentication failed")
            .explain("The MFA token you entered is invalid or has expired (identity `" + config_.name + "`, device " + keys.mfa_arn + ").")
            .hint("Wait for the next code and run `atmos auth login --identity " + config_.name + "` again");
      }
      if (e.code() == "InvalidClientTokenId" || e.code() == "SignatureDoesNotMatch")
        throw Error(ErrorKind::Auth, "credentials are invalid or have been revoked")
            .explain("Your AWS access keys for identity `" + config_.name + "` have been rotated or revoked: " + e.message())
            .hint("Store new keys with `atmos auth user configure --identity " + config_.name + "`");
      if (e.code() == "AccessDenied")
        throw Error(ErrorKind::Auth, "authentication failed")
            .explain("Your IAM user does not have permission to call sts:GetSessionToken: " + e.message());
      throw;
    }
  }
}

}  // namespace atmos::auth
