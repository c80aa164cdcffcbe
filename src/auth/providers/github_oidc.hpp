// Provider `github/oidc` (docs/auth.md#providers and item 1 of docs/auth.md#deliberate-differences-from-upstream):
// the GitHub Actions ID token for the configured audience (default sts.amazonaws.com), fetched from ACTIONS_ID_TOKEN_REQUEST_URL on every run and
// never cached.
#pragma once

#include "auth/step.hpp"

namespace atmos::auth {

class GithubOidcProvider final : public CredentialProvider {
 public:
  GithubOidcProvider(const Provider& config, StepContext& context);
  Credentials authenticate(const AuthOptions& options) override;
  void logout() override {}
  bool ambient() const override { return true; }

 private:
  StepContext& context_;
  std::string name_;
  std::string audience_;
  std::string region_;
};

// The request URL must be https with a host, or plain http to a loopback address.
bool acceptable_token_url(const std::string& url);

// The GitHub Actions ID token for `audience`, fetched from `request_url` with `request_token` (the values of
// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN; the token is wiped). Throws Error
// ("authentication failed", explained as "GitHub OIDC: …", never with the token).
Secret fetch_github_id_token(aws::HttpTransport& transport, const std::string& request_url, std::string request_token,
                             const std::string& audience);

}  // namespace atmos::auth
