// What one step of an identity chain hands to the next: AWS keys, an IAM Identity Center access token or a
// web-identity (OIDC) token, with the region they belong to and when they stop working.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "core/secret.hpp"

namespace atmos::auth {

enum class CredentialKind { Aws, SsoToken, OidcToken };

struct Credentials {
  CredentialKind kind = CredentialKind::Aws;
  aws::Credentials aws;  // kind Aws
  Secret token;          // kind SsoToken (the access token) or OidcToken (the JWT)
  std::string region;
  std::optional<aws::TimePoint> expiration;

  // True when there is no expiration or it lies more than `buffer` after `now`.
  bool valid_for(aws::TimePoint now, std::chrono::seconds buffer) const {
    return !expiration || *expiration > now + buffer;
  }
};

// Chains reuse cached credentials only while they have more than this left (docs/auth.md#chains).
inline constexpr std::chrono::seconds kMinValidity{15 * 60};

}  // namespace atmos::auth
