// Upstream's keyring value (docs/auth.md#files-and-caches): `{"type":"aws","data":{"access_key_id",…}}`.
#pragma once

#include <optional>
#include <string>

#include "core/secret.hpp"

namespace atmos::auth {

struct AwsUserKeys {
  std::string access_key_id;
  Secret secret_access_key;
  std::string mfa_arn;
  std::string session_duration;  // as the user typed it ("12h", "43200"); empty = default
};

Secret encode_user_keys(const AwsUserKeys& keys);
// nullopt when the value is not an `aws` envelope with both keys.
std::optional<AwsUserKeys> decode_user_keys(const Secret& value);

}  // namespace atmos::auth
