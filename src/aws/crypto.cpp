#include "aws/crypto.hpp"

#include <openssl/evp.h>
#include <string.h>

#include <memory>
#include <stdexcept>

namespace atmos::aws {
namespace {

constexpr std::size_t kBlockSize = 64;

// Fetched once: an implicit fetch per digest (EVP_sha256()) costs a lookup on every call in OpenSSL 3.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) throw std::runtime_error("OpenSSL has no SHA256");
  return md;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

Sha256Digest digest_of(std::string_view a, std::string_view b) {
  EVP_MD_CTX* ctx = thread_context();
  Sha256Digest out{};
  if (EVP_DigestInit_ex(ctx, sha256_md(), nullptr) != 1 || EVP_DigestUpdate(ctx, a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx, b.data(), b.size()) != 1 || EVP_DigestFinal_ex(ctx, out.data(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA256 failed");
  }
  return out;
}

}  // namespace

Sha256Digest sha256(std::string_view data) { return digest_of(data, {}); }

// RFC 2104 over SHA-256; keys longer than a block are hashed first.
Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, kBlockSize> inner{};
  std::array<unsigned char, kBlockSize> outer{};
  Sha256Digest hashed_key{};
  if (key.size() > kBlockSize) {
    hashed_key = sha256(key);
    key = as_view(hashed_key);
  }
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    unsigned char k = i < key.size() ? static_cast<unsigned char>(key[i]) : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  auto view = [](const auto& bytes) { return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()); };
  Sha256Digest inner_hash = digest_of(view(inner), message);
  Sha256Digest result = digest_of(view(outer), as_view(inner_hash));
  explicit_bzero(inner.data(), inner.size());
  explicit_bzero(outer.data(), outer.size());
  explicit_bzero(hashed_key.data(), hashed_key.size());
  return result;
}

std::string hex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(digest.size() * 2, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
  return out;
}

}  // namespace atmos::aws
