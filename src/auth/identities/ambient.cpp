#include "auth/identities/ambient.hpp"

#include "aws/errors.hpp"
#include "aws/sts.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr std::chrono::milliseconds kLocalTimeout{2'000};

// {AccessKeyId, SecretAccessKey, Token, Expiration} as the container endpoint and IMDS answer.
aws::Credentials parse_credentials_json(const std::string& body, const std::string& source) {
  Value v;
  try {
    v = parse_json(body);
  } catch (const Error&) {
    throw Error(ErrorKind::Auth, "authentication failed").explain("The " + source + " answered something that is not JSON credentials.");
  }
  aws::Credentials c;
  if (v.get("AccessKeyId").is_string()) c.access_key_id = v.get("AccessKeyId").as_string();
  if (v.get("SecretAccessKey").is_string()) c.secret_access_key = Secret(v.get("SecretAccessKey").as_string());
  if (v.get("Token").is_string()) c.session_token = Secret(v.get("Token").as_string());
  if (v.get("Expiration").is_string()) c.expiration = aws::parse_iso8601(v.get("Expiration").as_string());
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    throw Error(ErrorKind::Auth, "authentication failed").explain("The " + source + " answered without an access key.");
  return c;
}

}  // namespace

AmbientIdentity::AmbientIdentity(const Identity& config, StepContext& context) : context_(context), config_(config) {}

Credentials AmbientIdentity::authenticate(const Credentials&, const AuthOptions&) {
  throw Error(ErrorKind::Auth, "invalid identity config")
      .explain("Identity `" + config_.name + "` is aws/ambient: it takes its credentials from the environment and must not define `via`.");
}

Credentials AmbientIdentity::authenticate_standalone(const AuthOptions&) {
  const Environment& env = context_.world.env;
  std::string region = config_.str({"principal", "region"});
  if (region.empty()) region = env.get_or("AWS_REGION", env.get_or("AWS_DEFAULT_REGION", ""));
  Credentials out;
  out.region = region;
  std::string source;
  std::string key = env.get_or("AWS_ACCESS_KEY_ID", ""), secret = env.get_or("AWS_SECRET_ACCESS_KEY", "");
  if (!key.empty() && !secret.empty()) {
    out.aws.access_key_id = key;
    out.aws.secret_access_key = Secret(secret);
    out.aws.session_token = Secret(env.get_or("AWS_SESSION_TOKEN", ""));
    source = "environment variables";
  } else if (auto c = from_web_identity(region.empty() ? "us-east-1" : region)) {
    out.aws = std::move(*c);
    source = "web identity token file";
  } else if (auto c = from_container()) {
    out.aws = std::move(*c);
    source = "container credentials endpoint";
  } else if (auto c = from_imds()) {
    out.aws = std::move(*c);
    source = "instance metadata";
  } else {
    Error e(ErrorKind::Auth, "authentication failed");
    e.explain("Identity `" + config_.name + "` (aws/ambient) found no credentials in the environment: no AWS_ACCESS_KEY_ID/"
              "AWS_SECRET_ACCESS_KEY, no AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, no container credentials endpoint, "
              "and instance metadata " + std::string(env.is_true("AWS_EC2_METADATA_DISABLED") ? "is disabled" : "did not answer") + ".");
    if (!env.get_or("AWS_PROFILE", "").empty()) e.hint("AWS_PROFILE is set, but aws/ambient does not read shared config profiles");
    throw e;
  }
  out.expiration = out.aws.expiration;
  log::debug("Ambient AWS credentials resolved identity={} source={} has_session_token={}", config_.name, source,
             !out.aws.session_token.empty());
  return out;
}

std::optional<aws::Credentials> AmbientIdentity::from_web_identity(const std::string& region) const {
  const Environment& env = context_.world.env;
  std::string file = env.get_or("AWS_WEB_IDENTITY_TOKEN_FILE", ""), role = env.get_or("AWS_ROLE_ARN", "");
  if (file.empty() || role.empty()) return std::nullopt;
  std::optional<std::string> token = read_file_if_exists(file);
  if (!token) throw Error(ErrorKind::Auth, "authentication failed").explain("AWS_WEB_IDENTITY_TOKEN_FILE '" + file + "' cannot be read.");
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r' || token->back() == ' ')) token->pop_back();
  aws::StsClient sts({context_.world.transport, context_.world.clock, context_.world.env}, {region, "", {}, {}});
  aws::AssumeRoleWithWebIdentityRequest req;
  req.role_arn = role;
  req.role_session_name = env.get_or("AWS_ROLE_SESSION_NAME", "atmos-ambient-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                                                                   context_.world.clock.now().time_since_epoch()).count()));
  req.web_identity_token = Secret(std::move(*token));
  try {
    return sts.assume_role_with_web_identity(req).credentials;
  } catch (const aws::AwsError& e) {
    throw Error(ErrorKind::Auth, "authentication failed")
        .explain("Identity `" + config_.name + "` (aws/ambient): assuming '" + role + "' with the web identity token file failed: " +
                 e.message() + (e.explanation().empty() ? "" : "\n" + e.explanation()));
  }
}

std::optional<aws::Credentials> AmbientIdentity::from_container() const {
  const Environment& env = context_.world.env;
  std::string url = env.get_or("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
  if (url.empty()) {
    std::string relative = env.get_or("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "");
    if (relative.empty()) return std::nullopt;
    url = "http://169.254.170.2" + relative;
  }
  aws::HttpRequest req;
  req.method = "GET";
  req.url = url;
  std::string auth = env.get_or("AWS_CONTAINER_AUTHORIZATION_TOKEN", "");
  if (std::string file = env.get_or("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", ""); !file.empty()) auth = read_file_if_exists(file).value_or("");
  while (!auth.empty() && (auth.back() == '\n' || auth.back() == '\r')) auth.pop_back();
  if (!auth.empty()) req.headers.add("Authorization", auth);
  aws::HttpResponse resp;
  try {
    resp = context_.world.transport.send(req, {kLocalTimeout, kLocalTimeout * 3});
  } catch (const aws::TransportError& e) {
    throw Error(ErrorKind::Auth, "authentication failed").explain("The container credentials endpoint did not answer: " + std::string(e.what()));
  }
  if (resp.status != 200)
    throw Error(ErrorKind::Auth, "authentication failed").explain("The container credentials endpoint answered HTTP " + std::to_string(resp.status) + ".");
  return parse_credentials_json(resp.body, "container credentials endpoint");
}

std::optional<aws::Credentials> AmbientIdentity::from_imds() const {
  const Environment& env = context_.world.env;
  if (env.is_true("AWS_EC2_METADATA_DISABLED")) return std::nullopt;
  std::string base = env.get_or("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254");
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto send = [&](const std::string& method, const std::string& path, const std::string& token) -> std::optional<aws::HttpResponse> {
    aws::HttpRequest req;
    req.method = method;
    req.url = base + path;
    if (method == "PUT") req.headers.add("X-aws-ec2-metadata-token-ttl-seconds", "21600");
    else req.headers.add("X-aws-ec2-metadata-token", token);
    try {
      return context_.world.transport.send(req, {kLocalTimeout, kLocalTimeout});
    } catch (const aws::TransportError& e) {
      log::debug("Instance metadata did not answer error={}", e.what());
      return std::nullopt;
    }
  };
  auto token = send("PUT", "/latest/api/token", "");
  if (!token || token->status != 200) return std::nullopt;
  auto roles = send("GET", "/latest/meta-data/iam/security-credentials/", token->body);
  if (!roles || roles->status != 200 || roles->body.empty()) return std::nullopt;
  std::string role = roles->body.substr(0, roles->body.find('\n'));
  auto creds = send("GET", "/latest/meta-data/iam/security-credentials/" + role, token->body);
  if (!creds || creds->status != 200) return std::nullopt;
  return parse_credentials_json(creds->body, "instance metadata service");
}

}  // namespace atmos::auth
