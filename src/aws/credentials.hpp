// AWS credentials as the API calls take and return them.
#pragma once

#include <optional>
#include <string>

#include "aws/clock.hpp"
#include "core/secret.hpp"

namespace atmos::aws {

struct Credentials {
  // Not secret (it names the key), but log at most its first four characters.
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;  // empty for long-lived IAM user keys
  std::optional<TimePoint> expiration;
};

}  // namespace atmos::aws
