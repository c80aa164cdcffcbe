// Identity `aws/permission-set` (docs/auth.md#identities and item 5 of
// docs/auth.md#deliberate-differences-from-upstream): a permission set in one account, reached with the IAM Identity Center access token — ListAccounts (every page) when the account is
// given by name, then GetRoleCredentials.
#pragma once

#include "auth/step.hpp"

namespace atmos::auth {

class PermissionSetIdentity final : public IdentityStep {
 public:
  PermissionSetIdentity(const Identity& config, StepContext& context);
  Credentials authenticate(const Credentials& input, const AuthOptions& options) override;

 private:
  StepContext& context_;
  std::string name_;
  std::string permission_set_;
  std::string account_id_;
  std::string account_name_;
  std::string endpoint_url_;
};

}  // namespace atmos::auth
