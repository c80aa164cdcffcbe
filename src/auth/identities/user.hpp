// Identity `aws/user` (docs/auth.md#identities and item 2 of docs/auth.md#deliberate-differences-from-upstream):
// an IAM user's long-lived keys, from the configuration or the keyring (`atmos auth user configure`), turned
// into session credentials with GetSessionToken — with the MFA code when an MFA device is configured (from
// --mfa-token / ATMOS_MFA_TOKEN or the terminal; a rejected code from the terminal is asked for once more).
// Long-lived keys never skip MFA.
#pragma once

#include "auth/step.hpp"
#include "auth/store/envelope.hpp"

namespace atmos::auth {

class UserIdentity final : public IdentityStep {
 public:
  UserIdentity(const Identity& config, StepContext& context);
  Credentials authenticate(const Credentials& input, const AuthOptions& options) override;
  Credentials authenticate_standalone(const AuthOptions& options) override;

 private:
  AwsUserKeys long_lived_keys() const;
  std::string mfa_code(const AuthOptions& options, const std::string& mfa_arn, bool retry) const;

  StepContext& context_;
  Identity config_;
};

// Seconds from an integer, a Go duration or `<n>d`; nullopt when unreadable.
std::optional<long long> parse_session_duration(const std::string& text);

}  // namespace atmos::auth
