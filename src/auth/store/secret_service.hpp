// The `system` keyring on Linux: the Secret Service (gnome-keyring, KWallet) through libsecret, addressed as
// upstream's go-keyring does — attributes service=<key>, username=atmos-auth in the default collection.
//
// Every call runs on a worker thread and is abandoned after the timeout, so a locked keyring that would pop a
// prompt, or a D-Bus that never answers, cannot hang a command. Without a session bus the keyring is
// unavailable: reads miss with a warning (upstream's fallback), writes fail with an error naming the `file` keyring.
// libsecret itself is loaded (dlopen) on the first call that needs it; when it is missing the keyring is
// unavailable in the same way.
#pragma once

#include <chrono>

#include "auth/store/keyring.hpp"

namespace atmos::auth {

class SecretServiceKeyring final : public Keyring {
 public:
  SecretServiceKeyring(const Environment& env, std::chrono::milliseconds timeout);
  std::optional<Secret> get(const std::string& key) override;
  void set(const std::string& key, const Secret& value) override;
  bool remove(const std::string& key) override;
  std::string type() const override { return "system"; }

 private:
  // Why the keyring cannot be used ("" when it can): no session bus, or libsecret could not be loaded.
  std::string unavailable_reason() const;
  // False (with a warning, once) when unavailable.
  bool available();

  bool has_bus_;
  std::chrono::milliseconds timeout_;
  bool warned_ = false;
};

}  // namespace atmos::auth
