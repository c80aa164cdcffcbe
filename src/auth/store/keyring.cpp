#include "auth/store/keyring.hpp"

#include "auth/store/file.hpp"
#include "auth/store/secret_service.hpp"
#include "core/log.hpp"

namespace atmos::auth {

std::unique_ptr<Keyring> make_keyring(const KeyringSettings& settings, const Environment& env, Terminal& terminal) {
  std::string type = env.get_or("ATMOS_KEYRING_TYPE", settings.type);
  if (type == "memory") return std::make_unique<MemoryKeyring>();
  if (type == "file")
    return std::make_unique<FileKeyring>(file_keyring_dir(settings, env), env.get_or("ATMOS_KEYRING_PASSWORD_ENV", settings.password_env), env,
                                         terminal);
  if (!type.empty() && type != "system") log::warn("unknown keyring type \"{}\", using system keyring", type);
  return std::make_unique<SecretServiceKeyring>(env, std::chrono::seconds(5));
}

}  // namespace atmos::auth
