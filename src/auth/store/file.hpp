// The `file` keyring: one encrypted file per item in a 0700 directory. The key is derived from a password with
// Argon2id (per-item salt) and items are sealed with XChaCha20-Poly1305, the item's name as associated data.
// A `.verify` item lets a wrong password fail before anything is read or written; it is written only by a password
// that opened an existing item, or that creates an empty keyring.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "auth/store/keyring.hpp"

namespace atmos::auth {

class Terminal;

class FileKeyring final : public Keyring {
 public:
  // `password_env` names the variable holding the password; without it the terminal is asked.
  FileKeyring(std::string dir, std::string password_env, const Environment& env, Terminal& terminal);
  std::optional<Secret> get(const std::string& key) override;
  void set(const std::string& key, const Secret& value) override;
  bool remove(const std::string& key) override;
  std::string type() const override { return "file"; }

 private:
  const Secret& password();
  std::string item_path(const std::string& key) const;
  void check_password();
  // Some item the keyring holds (its key and sealed bytes), to check a password against when `.verify` is missing.
  std::optional<std::pair<std::string, std::string>> first_item() const;
  static std::string item_key(const std::string& file);  // inverse of item_path's escaping

  std::string dir_;
  std::string password_env_;
  const Environment& env_;
  Terminal& terminal_;
  std::optional<Secret> password_;
  bool checked_ = false;
};

// The directory: ATMOS_KEYRING_FILE_PATH → `spec.path` (its parent when it names a file) → <xdg data>/atmos/keyring.
std::string file_keyring_dir(const KeyringSettings& settings, const Environment& env);

}  // namespace atmos::auth
