#include "auth/store/keyring.hpp"

namespace atmos::auth {

std::string keyring_key(const std::string& realm, const std::string& alias) {
  return realm.empty() ? "atmos_" + alias : "atmos_" + realm + "_" + alias;
}

std::optional<Secret> MemoryKeyring::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

void MemoryKeyring::set(const std::string& key, const Secret& value) {
  std::lock_guard lock(mutex_);
  items_[key] = value;
}

bool MemoryKeyring::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  return items_.erase(key) > 0;
}

}  // namespace atmos::auth
