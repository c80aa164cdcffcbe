// SHA-256 for the auth engine's own keys (realm hash, chain fingerprints), through libsodium: OpenSSL 3 loads
// its configuration and providers on first use (about a millisecond), which a cache-hit command must not pay.
#pragma once

#include <string>
#include <string_view>

namespace atmos::auth {

// Lower-case hex of SHA-256(data), 64 characters.
std::string sha256_hex(std::string_view data);

}  // namespace atmos::auth
