#include "auth/digest.hpp"

#include <sodium.h>

#include <stdexcept>

namespace atmos::auth {

std::string sha256_hex(std::string_view data) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
  }
  return out;
}

}  // namespace atmos::auth
