// Identity `aws/assume-role` (docs/auth.md#identities): AssumeRole with the previous step's AWS credentials, or
// AssumeRoleWithWebIdentity when the previous step is a GitHub OIDC token.
#pragma once

#include <optional>

#include "auth/step.hpp"

namespace atmos::auth {

class AssumeRoleIdentity final : public IdentityStep {
 public:
  AssumeRoleIdentity(const Identity& config, StepContext& context);
  Credentials authenticate(const Credentials& input, const AuthOptions& options) override;

 private:
  std::string session_name() const;

  StepContext& context_;
  std::string name_;
  std::string role_arn_;
  std::string session_name_;
  std::string external_id_;
  std::string region_;
  std::string endpoint_url_;
  std::optional<int> duration_;
};

// Upstream's session-name rules: characters outside [A-Za-z0-9+=,.@-] become `-`, at most 64 characters,
// trailing `-` trimmed, empty → "atmos-session".
std::string sanitize_role_session_name(std::string_view name);

}  // namespace atmos::auth
