// Provider `aws/iam-identity-center` (docs/auth.md#providers): the SSO access token from memory, then the disk
// cache, then a refresh-token exchange, then the device authorization flow. Providers with the same start URL
// and region share one session. Across processes one login happens at a time (a lock beside the cache file);
// processes that waited re-read the cache instead of signing in again.
#pragma once

#include "auth/providers/sso_token_cache.hpp"
#include "auth/step.hpp"

namespace atmos::auth {

class SsoProvider final : public CredentialProvider {
 public:
  SsoProvider(const Provider& config, StepContext& context);
  Credentials authenticate(const AuthOptions& options) override;
  void logout() override;

 private:
  Credentials credentials_from(const SsoSession& session) const;
  bool usable(const SsoSession& session) const;
  std::optional<SsoSession> refresh(const SsoSession& stored);
  SsoSession device_flow(const AuthOptions& options);

  StepContext& context_;
  std::string name_;
  std::string start_url_;
  std::string region_;
  std::string endpoint_url_;
  SsoTokenCache cache_;
};

}  // namespace atmos::auth
