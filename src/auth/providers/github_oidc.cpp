#include "auth/providers/github_oidc.hpp"

#include <openssl/evp.h>

#include "aws/url.hpp"
#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr std::chrono::seconds kJwtSkew{5 * 60};

Error oidc_error(const std::string& why) {
  return Error(ErrorKind::Auth, "authentication failed").explain("GitHub OIDC: " + why);
}

// The `exp` claim of a JWT; nullopt when the payload cannot be decoded.
std::optional<aws::TimePoint> jwt_expiry(const std::string& jwt) {
  auto first = jwt.find('.');
  auto second = jwt.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  std::string payload = jwt.substr(first + 1, second - first - 1);
  for (auto& c : payload) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (payload.size() % 4) payload += '=';
  std::string decoded(payload.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()), reinterpret_cast<const unsigned char*>(payload.data()),
                          static_cast<int>(payload.size()));
  if (n < 0) return std::nullopt;
  decoded.resize(static_cast<std::size_t>(n));
  while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();
  try {
    Value claims = parse_json(decoded);
    if (!claims.get("exp").is_number()) return std::nullopt;
    return aws::TimePoint(std::chrono::seconds(claims.get("exp").as_int()));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

bool acceptable_token_url(const std::string& url) {
  aws::UrlParts parts = aws::split_url(url);
  if (parts.host.empty()) return false;
  if (parts.scheme == "https") return true;
  return parts.scheme == "http" && (parts.host == "127.0.0.1" || parts.host == "localhost" || parts.host == "::1");
}

Secret fetch_github_id_token(aws::HttpTransport& transport, const std::string& request_url, std::string request_token,
                             const std::string& audience) {
  if (!acceptable_token_url(request_url)) {
    wipe(request_token);
    throw oidc_error("ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL (plain http only to a loopback address)");
  }
  aws::HttpRequest req;
  req.method = "GET";
  req.url = request_url + (request_url.find('?') == std::string::npos ? "?" : "&") + "audience=" + aws::uri_encode(audience);
  req.headers.add("Authorization", "bearer " + request_token);
  req.headers.add("Accept", "application/json");
  wipe(request_token);
  aws::HttpTimeouts timeouts;
  timeouts.total = std::chrono::seconds(10);
  aws::HttpResponse resp;
  try {
    resp = transport.send(req, timeouts);
  } catch (const aws::TransportError& e) {
    throw oidc_error(std::string("cannot reach the token endpoint: ") + e.what());
  }
  if (resp.status != 200) throw oidc_error("OIDC endpoint returned status " + std::to_string(resp.status));
  Value body;
  try {
    body = parse_json(resp.body);
  } catch (const std::exception&) {
    throw oidc_error("the token endpoint's answer is not JSON");
  }
  if (!body.get("value").is_string() || body.get("value").as_string().empty()) throw oidc_error("empty token in OIDC response");
  return Secret(body.get("value").as_string());
}

GithubOidcProvider::GithubOidcProvider(const Provider& config, StepContext& context)
    : context_(context), name_(config.name), audience_(config.str({"spec", "audience"})), region_(config.str({"region"})) {
  if (audience_.empty()) audience_ = "sts.amazonaws.com";
}

Credentials GithubOidcProvider::authenticate(const AuthOptions&) {
  const Environment& env = context_.world.env;
  log::info("Starting GitHub OIDC authentication provider={}", name_);
  if (env.get_or("GITHUB_ACTIONS", "") != "true")
    throw oidc_error("GitHub OIDC authentication is only available in GitHub Actions environment (GITHUB_ACTIONS=true)");
  Credentials out;
  out.kind = CredentialKind::OidcToken;
  out.region = region_;
  if (auto given = env.get("ACTIONS_ID_TOKEN"); given && !given->empty()) {
    out.token = Secret(*given);
  } else {
    std::string token = env.get_or("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "");
    std::string url = env.get_or("ACTIONS_ID_TOKEN_REQUEST_URL", "");
    if (token.empty()) throw oidc_error("ACTIONS_ID_TOKEN_REQUEST_TOKEN not found - ensure job has 'id-token: write' permission");
    if (url.empty()) throw oidc_error("ACTIONS_ID_TOKEN_REQUEST_URL not found - ensure job has 'id-token: write' permission");
    out.token = fetch_github_id_token(context_.world.transport, url, std::move(token), audience_);
  }
  auto exp = jwt_expiry(out.token.reveal());
  out.expiration = exp ? *exp - kJwtSkew : aws::TimePoint{};
  log::info("GitHub OIDC authentication successful provider={}", name_);
  return out;
}

}  // namespace atmos::auth
