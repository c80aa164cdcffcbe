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

}  // namespace atmos::auth
