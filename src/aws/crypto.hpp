// SHA-256 and HMAC-SHA-256 on OpenSSL's EVP interface, for SigV4. Thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace atmos::aws {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);
// Lower-case hex, as SigV4 writes hashes and signatures.
std::string hex(const Sha256Digest& digest);

inline std::string_view as_view(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace atmos::aws
