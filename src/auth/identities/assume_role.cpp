#include "auth/identities/assume_role.hpp"

#include <cctype>

#include "aws/sts.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace atmos::auth {

std::string sanitize_role_session_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
    out += ok ? c : '-';
  }
  if (out.size() > 64) out.resize(64);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "atmos-session" : out;
}

AssumeRoleIdentity::AssumeRoleIdentity(const Identity& config, StepContext& context)
    : context_(context),
      name_(config.name),
      role_arn_(config.str({"principal", "assume_role"})),
      session_name_(config.str({"principal", "session_name"})),
      external_id_(config.str({"principal", "external_id"})),
      region_(config.str({"principal", "region"})),
      endpoint_url_(config.str({"spec", "endpoint_url"})) {
  if (role_arn_.empty())
    throw Error(ErrorKind::Auth, "invalid identity config").explain("identity=" + name_ + ": `principal.assume_role` (a role ARN) is required");
  std::string duration = config.str({"principal", "duration"});
  if (!duration.empty()) {
    if (auto seconds = parse_go_duration_seconds(duration)) {
      duration_ = static_cast<int>(*seconds);
    } else {
      log::warn("Invalid duration specified for assume role identity={} duration={}", name_, duration);
    }
  }
}

std::string AssumeRoleIdentity::session_name() const {
  if (!session_name_.empty()) return sanitize_role_session_name(session_name_);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(context_.world.clock.now().time_since_epoch()).count();
  return sanitize_role_session_name("atmos-" + name_ + "-" + std::to_string(seconds));
}

Credentials AssumeRoleIdentity::authenticate(const Credentials& input, const AuthOptions&) {
  std::string region = !region_.empty() ? region_ : input.kind == CredentialKind::Aws && !input.region.empty() ? input.region : "us-east-1";
  aws::StsClient sts({context_.world.transport, context_.world.clock, context_.world.env}, {region, endpoint_url_, {}, {}});
  std::string session = session_name();
  Credentials out;
  out.region = region;
  try {
    if (input.kind == CredentialKind::OidcToken) {
      log::debug("Assuming role with web identity role_arn={} session_name={}", role_arn_, session);
      aws::AssumeRoleWithWebIdentityRequest req;
      req.role_arn = role_arn_;
      req.role_session_name = session;
      req.web_identity_token = input.token;
      req.duration_seconds = duration_;
      out.aws = sts.assume_role_with_web_identity(req).credentials;
    } else if (input.kind == CredentialKind::Aws) {
      log::debug("Assuming role role_arn={} session_name={}", role_arn_, session);
      aws::AssumeRoleRequest req;
      req.role_arn = role_arn_;
      req.role_session_name = session;
      req.external_id = external_id_;
      req.duration_seconds = duration_;
      out.aws = sts.assume_role(input.aws, req).credentials;
    } else {
      throw Error(ErrorKind::Auth, "invalid identity config", 2)
          .explain("Invalid credentials type for assume-role identity '" + name_ + "': it needs AWS credentials or a web-identity token.");
    }
  } catch (const aws::AwsError& e) {
    log::debug("Role assumption failed role_arn={} code={}", role_arn_, e.code());
    Error wrapped(ErrorKind::Auth, "authentication failed");
    wrapped.explain("Failed to assume IAM role '" + role_arn_ + "'" + (input.kind == CredentialKind::OidcToken ? " using web identity (OIDC)" : "") +
                    " for identity `" + name_ + "`: " + e.message() + "\n" + e.explanation());
    wrapped.hint("Check the role ARN, the role's trust policy" + std::string(external_id_.empty() ? "" : " and `principal.external_id`"));
    throw wrapped;
  }
  out.expiration = out.aws.expiration;
  log::debug("Chained identity to={} expiration={}", name_, out.expiration ? aws::format_iso8601(*out.expiration) : "none");
  return out;
}

}  // namespace atmos::auth
