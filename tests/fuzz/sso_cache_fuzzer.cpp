// The SSO token cache reader: any file content loads a session or yields nothing, never crashes or throws.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/files.hpp"
#include "auth/providers/sso_token_cache.hpp"
#include "scratch_dir.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = atmos::fuzz::scratch_dir() + "/session.json";
  static const atmos::auth::SsoTokenCache cache(path);
  atmos::auth::write_private_file(path, std::string(reinterpret_cast<const char*>(data), size));
  cache.load();
  return 0;
}
