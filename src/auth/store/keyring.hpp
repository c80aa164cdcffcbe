// Where long-lived secrets live (docs/auth.md#files-and-caches): one interface, one file per backend — `system` (Secret
// Service through libsecret), `file` (encrypted with libsodium), `memory` (this process only).
//
// Items are addressed by key `atmos_<realm>_<alias>` and hold upstream's JSON envelope
// `{"type":"aws","data":{…}}`. Every call returns within the backend's timeout: a locked or missing keyring
// never hangs a command.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/environment.hpp"
#include "core/secret.hpp"

namespace atmos::auth {

class Terminal;

// Thrown when the keyring cannot be reached or read (locked, no D-Bus, wrong password); never for a missing item.
class KeyringError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Keyring {
 public:
  virtual ~Keyring() = default;
  // The stored value, nullopt when there is no item under `key`. Throws KeyringError.
  virtual std::optional<Secret> get(const std::string& key) = 0;
  // Creates or replaces the item. Throws KeyringError.
  virtual void set(const std::string& key, const Secret& value) = 0;
  // Removes the item; false when there was none. Throws KeyringError.
  virtual bool remove(const std::string& key) = 0;
  // "system", "file" or "memory", for messages.
  virtual std::string type() const = 0;
};

// `atmos_<realm>_<alias>`, or `atmos_<alias>` when the realm is empty.
std::string keyring_key(const std::string& realm, const std::string& alias);

class MemoryKeyring final : public Keyring {
 public:
  std::optional<Secret> get(const std::string& key) override;
  void set(const std::string& key, const Secret& value) override;
  bool remove(const std::string& key) override;
  std::string type() const override { return "memory"; }

 private:
  std::mutex mutex_;
  std::map<std::string, Secret> items_;
};

struct KeyringSettings {
  std::string type;          // `auth.keyring.type` (ATMOS_KEYRING_TYPE wins); "" = system
  std::string path;          // `auth.keyring.spec.path` (ATMOS_KEYRING_FILE_PATH wins)
  std::string password_env;  // `auth.keyring.spec.password_env` (ATMOS_KEYRING_PASSWORD_ENV wins)
};

// The configured backend. An unknown type warns and uses the system keyring.
std::unique_ptr<Keyring> make_keyring(const KeyringSettings& settings, const Environment& env, Terminal& terminal);

}  // namespace atmos::auth
