#include "auth/store/secret_service.hpp"

#include <dlfcn.h>
#include <libsecret/secret.h>

#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr const char* kUser = "atmos-auth";
constexpr const char* kLibrary = "libsecret-1.so.0";

// libsecret (and GLib behind it) is loaded on the first keyring call, not at start-up: commands that never
// touch the system keyring do not pay for loading and initialising a dozen GLib libraries.
struct LibSecret {
  using Lookup = gchar* (*)(const SecretSchema*, GCancellable*, GError**, ...);
  using Store = gboolean (*)(const SecretSchema*, const gchar*, const gchar*, const gchar*, GCancellable*, GError**, ...);
  using Clear = gboolean (*)(const SecretSchema*, GCancellable*, GError**, ...);
  using Free = void (*)(gchar*);
  using ErrorFree = void (*)(GError*);

  Lookup lookup = nullptr;
  Store store = nullptr;
  Clear clear = nullptr;
  Free free_password = nullptr;
  ErrorFree error_free = nullptr;
  std::string load_error;  // why it could not be loaded; "" when loaded
};

// Sets `fn`, or records the first missing symbol in `error`.
template <typename Fn>
void resolve(void* handle, const char* name, Fn& fn, std::string& error) {
  fn = reinterpret_cast<Fn>(::dlsym(handle, name));
  if (!fn && error.empty()) error = std::string(name) + " not found in " + kLibrary;
}

const LibSecret& libsecret() {
  static const LibSecret lib = [] {
    LibSecret l;
    void* handle = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = ::dlerror();
      l.load_error = why ? why : std::string(kLibrary) + " could not be loaded";
      return l;
    }
    resolve(handle, "secret_password_lookup_sync", l.lookup, l.load_error);
    resolve(handle, "secret_password_store_sync", l.store, l.load_error);
    resolve(handle, "secret_password_clear_sync", l.clear, l.load_error);
    resolve(handle, "secret_password_free", l.free_password, l.load_error);
    resolve(handle, "g_error_free", l.error_free, l.load_error);
    return l;
  }();
  return lib;
}

const SecretSchema* schema() {
  static const SecretSchema s = {"org.freedesktop.Secret.Generic",
                                 SECRET_SCHEMA_DONT_MATCH_NAME,
                                 {{"service", SECRET_SCHEMA_ATTRIBUTE_STRING}, {"username", SECRET_SCHEMA_ATTRIBUTE_STRING}, {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
                                 0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  return &s;
}

struct Outcome {
  std::optional<Secret> value;
  bool flag = false;
  std::string error;
};

std::string take_error(GError* error) {
  std::string text = error && error->message ? error->message : "unknown Secret Service error";
  if (error) libsecret().error_free(error);
  return text;
}

// Runs `call` on its own thread; past the timeout the thread is left to finish (or hang) on its own.
Outcome bounded(std::chrono::milliseconds timeout, std::function<Outcome()> call) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  std::future<Outcome> future = promise->get_future();
  std::thread([promise, call = std::move(call)] { promise->set_value(call()); }).detach();
  if (future.wait_for(timeout) != std::future_status::ready)
    throw KeyringError("the system keyring did not answer within " + std::to_string(timeout.count()) +
                       " ms (locked, or waiting for a prompt)");
  Outcome out = future.get();
  if (!out.error.empty()) throw KeyringError("system keyring: " + out.error);
  return out;
}

}  // namespace

SecretServiceKeyring::SecretServiceKeyring(const Environment& env, std::chrono::milliseconds timeout)
    : has_bus_(!env.get_or("DBUS_SESSION_BUS_ADDRESS", "").empty()), timeout_(timeout) {}

std::string SecretServiceKeyring::unavailable_reason() const {
  if (!has_bus_) return "no D-Bus session bus";
  return libsecret().load_error;
}

bool SecretServiceKeyring::available() {
  std::string why = unavailable_reason();
  if (why.empty()) return true;
  if (!warned_) log::warn("System keyring not available ({}), using no-op keyring for reads", why);
  warned_ = true;
  return false;
}

std::optional<Secret> SecretServiceKeyring::get(const std::string& key) {
  if (!available()) return std::nullopt;
  log::debug("Reading system keyring service={}", key);
  return bounded(timeout_, [key] {
           GError* error = nullptr;
           gchar* value = libsecret().lookup(schema(), nullptr, &error, "service", key.c_str(), "username", kUser, nullptr);
           Outcome out;
           if (error) {
             out.error = take_error(error);
           } else if (value) {
             out.value = Secret(std::string(value));
             libsecret().free_password(value);
           }
           return out;
         })
      .value;
}

void SecretServiceKeyring::set(const std::string& key, const Secret& value) {
  if (std::string why = unavailable_reason(); !why.empty())
    throw KeyringError("the system keyring is not available (" + why + "); use ATMOS_KEYRING_TYPE=file");
  log::debug("Writing system keyring service={}", key);
  bounded(timeout_, [key, value] {
    GError* error = nullptr;
    std::string label = "Password for '" + std::string(kUser) + "' on '" + key + "'";
    libsecret().store(schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), value.reveal().c_str(), nullptr, &error, "service",
                               key.c_str(), "username", kUser, nullptr);
    Outcome out;
    if (error) out.error = take_error(error);
    return out;
  });
}

bool SecretServiceKeyring::remove(const std::string& key) {
  if (!available()) return false;
  return bounded(timeout_, [key] {
           GError* error = nullptr;
           gboolean removed = libsecret().clear(schema(), nullptr, &error, "service", key.c_str(), "username", kUser, nullptr);
           Outcome out;
           if (error) out.error = take_error(error);
           out.flag = removed;
           return out;
         })
      .flag;
}

}  // namespace atmos::auth
