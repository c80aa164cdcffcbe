#include "auth/store/secret_service.hpp"

#include <libsecret/secret.h>

#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr const char* kUser = "atmos-auth";

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
  if (error) g_error_free(error);
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

bool SecretServiceKeyring::available() {
  if (has_bus_) return true;
  if (!warned_) log::warn("System keyring not available (no D-Bus session), using no-op keyring for reads");
  warned_ = true;
  return false;
}

std::optional<Secret> SecretServiceKeyring::get(const std::string& key) {
  if (!available()) return std::nullopt;
  log::debug("Reading system keyring service={}", key);
  return bounded(timeout_, [key] {
           GError* error = nullptr;
           gchar* value = secret_password_lookup_sync(schema(), nullptr, &error, "service", key.c_str(), "username", kUser, nullptr);
           Outcome out;
           if (error) {
             out.error = take_error(error);
           } else if (value) {
             out.value = Secret(std::string(value));
             secret_password_free(value);
           }
           return out;
         })
      .value;
}

void SecretServiceKeyring::set(const std::string& key, const Secret& value) {
  if (!available())
    throw KeyringError("the system keyring is not available (no D-Bus session bus); use ATMOS_KEYRING_TYPE=file");
  log::debug("Writing system keyring service={}", key);
  bounded(timeout_, [key, value] {
    GError* error = nullptr;
    std::string label = "Password for '" + std::string(kUser) + "' on '" + key + "'";
    secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), value.reveal().c_str(), nullptr, &error, "service",
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
           gboolean removed = secret_password_clear_sync(schema(), nullptr, &error, "service", key.c_str(), "username", kUser, nullptr);
           Outcome out;
           if (error) out.error = take_error(error);
           out.flag = removed;
           return out;
         })
      .flag;
}

}  // namespace atmos::auth
