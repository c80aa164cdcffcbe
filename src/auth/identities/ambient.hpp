// Identity `aws/ambient` (upstream pkg/auth/identities/aws/ambient.go): the credentials the environment already
// provides, found as the AWS SDKs' default chain finds them — AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
// (+AWS_SESSION_TOKEN), a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, as IRSA sets them),
// the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI), then EC2 instance
// metadata (IMDSv2; off with AWS_EC2_METADATA_DISABLED=true). It has no `via` and may root a chain
// (docs/auth.md#identities). Shared config profiles are not read: with nothing else found the error says so.
#pragma once

#include "auth/step.hpp"

namespace atmos::auth {

class AmbientIdentity final : public IdentityStep {
 public:
  AmbientIdentity(const Identity& config, StepContext& context);
  Credentials authenticate(const Credentials& input, const AuthOptions& options) override;
  Credentials authenticate_standalone(const AuthOptions& options) override;

 private:
  std::optional<aws::Credentials> from_web_identity(const std::string& region) const;
  std::optional<aws::Credentials> from_container() const;
  std::optional<aws::Credentials> from_imds() const;

  StepContext& context_;
  Identity config_;
};

}  // namespace atmos::auth
