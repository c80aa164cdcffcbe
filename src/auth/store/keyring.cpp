#include "auth/store/keyring.hpp"

#include "auth/world.hpp"
#include "core/log.hpp"

namespace atmos::auth {

std::unique_ptr<Keyring> make_keyring(const KeyringSettings& settings, const Environment& env, Terminal&) {
  std::string type = env.get_or("ATMOS_KEYRING_TYPE", settings.type);
  if (type.empty()) type = "system";
  if (type != "memory") log::warn("keyring type \"{}\" is not available in this build, using the memory keyring", type);
  return std::make_unique<MemoryKeyring>();
}

}  // namespace atmos::auth
