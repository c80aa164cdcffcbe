#include "auth/store/file.hpp"

#include <sodium.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>

#include "auth/files.hpp"
#include "auth/paths.hpp"
#include "auth/world.hpp"
#include "core/file.hpp"

namespace atmos::auth {
namespace {

constexpr std::string_view kMagic = "ATMOSKR1";
constexpr const char* kVerifyItem = ".verify";
constexpr std::string_view kVerifyText = "atmos keyring";
constexpr std::size_t kMinPassword = 8;

std::string derive_key(const Secret& password, const unsigned char* salt) {
  std::string key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(key.data()), key.size(), password.reveal().data(), password.size(), salt,
                    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw KeyringError("file keyring: not enough memory to derive the key");
  return key;
}

std::string seal(const Secret& password, const std::string& name, std::string_view plaintext) {
  std::string out(kMagic);
  unsigned char salt[crypto_pwhash_SALTBYTES];
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  std::string key = derive_key(password, salt);
  std::string cipher(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long cipher_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(cipher.data()), &cipher_len,
                                             reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                                             reinterpret_cast<const unsigned char*>(name.data()), name.size(), nullptr, nonce,
                                             reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  out.append(reinterpret_cast<const char*>(salt), sizeof salt);
  out.append(reinterpret_cast<const char*>(nonce), sizeof nonce);
  out.append(cipher.data(), cipher_len);
  return out;
}

// nullopt when the password (or the item's name) does not match.
std::optional<Secret> open_sealed(const Secret& password, const std::string& name, const std::string& data) {
  std::size_t header = kMagic.size() + crypto_pwhash_SALTBYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (data.size() < header + crypto_aead_xchacha20poly1305_ietf_ABYTES || data.compare(0, kMagic.size(), kMagic) != 0)
    throw KeyringError("file keyring: item " + name + " is not an atmos keyring file");
  auto bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::string key = derive_key(password, bytes + kMagic.size());
  std::string plain(data.size() - header, '\0');
  unsigned long long plain_len = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr,
                                                      bytes + header, data.size() - header,
                                                      reinterpret_cast<const unsigned char*>(name.data()), name.size(),
                                                      bytes + kMagic.size() + crypto_pwhash_SALTBYTES,
                                                      reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  if (rc != 0) return std::nullopt;
  plain.resize(plain_len);
  return Secret(std::move(plain));
}

}  // namespace

std::string file_keyring_dir(const KeyringSettings& settings, const Environment& env) {
  std::string path = env.get_or("ATMOS_KEYRING_FILE_PATH", settings.path);
  if (path.empty()) return (std::filesystem::path(xdg_data_home(env)) / "atmos" / "keyring").string();
  std::filesystem::path p(path);
  return p.has_extension() ? p.parent_path().string() : path;
}

FileKeyring::FileKeyring(std::string dir, std::string password_env, const Environment& env, Terminal& terminal)
    : dir_(std::move(dir)), password_env_(password_env.empty() ? "ATMOS_KEYRING_PASSWORD" : std::move(password_env)), env_(env), terminal_(terminal) {
  if (sodium_init() < 0) throw KeyringError("file keyring: libsodium cannot be initialised");
}

const Secret& FileKeyring::password() {
  if (password_) return *password_;
  std::optional<std::string> given = env_.get(password_env_);
  if (!given || given->empty()) given = terminal_.prompt("Keyring password", true);
  if (!given || given->empty())
    throw KeyringError("keyring password required: set " + password_env_ + " or run on a terminal");
  if (given->size() < kMinPassword) throw KeyringError("keyring password must be at least 8 characters");
  password_ = Secret(std::move(*given));
  return *password_;
}

std::string FileKeyring::item_path(const std::string& key) const {
  std::string name;
  for (char c : key) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    if (plain) {
      name += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      name += buf;
    }
  }
  return (std::filesystem::path(dir_) / name).string();
}

std::string FileKeyring::item_key(const std::string& file) {
  std::string key;
  for (std::size_t i = 0; i < file.size(); ++i) {
    if (file[i] == '%' && i + 2 < file.size() && std::isxdigit(static_cast<unsigned char>(file[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(file[i + 2]))) {
      key += static_cast<char>(std::stoi(file.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      key += file[i];
    }
  }
  return key;
}

void FileKeyring::check_password() {
  if (checked_) return;
  std::string verify = (std::filesystem::path(dir_) / kVerifyItem).string();
  std::optional<std::string> data = read_file_if_exists(verify);
  if (data) {
    if (!open_sealed(password(), kVerifyItem, *data)) throw KeyringError("wrong keyring password for the file keyring in " + dir_);
  } else {
    // No password check yet: the password must open an item the keyring already holds before it is recorded, so
    // a mistyped password can never lock out the right one. An empty keyring is being created by this password.
    std::optional<std::pair<std::string, std::string>> item = first_item();
    if (item && !open_sealed(password(), item->first, item->second))
      throw KeyringError("wrong keyring password for the file keyring in " + dir_);
    write_private_file(verify, seal(password(), kVerifyItem, kVerifyText));
  }
  checked_ = true;
}

std::optional<std::pair<std::string, std::string>> FileKeyring::first_item() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string file = entry.path().filename().string();
    if (file == kVerifyItem || file.find(".tmp-") != std::string::npos || !entry.is_regular_file(ec)) continue;
    std::optional<std::string> data = read_file_if_exists(entry.path().string());
    if (!data || data->compare(0, kMagic.size(), kMagic) != 0) continue;
    return std::make_pair(item_key(file), std::move(*data));
  }
  return std::nullopt;
}

std::optional<Secret> FileKeyring::get(const std::string& key) {
  std::optional<std::string> data = read_file_if_exists(item_path(key));
  if (!data) return std::nullopt;
  check_password();
  std::optional<Secret> value = open_sealed(password(), key, *data);
  if (!value) throw KeyringError("file keyring: item " + key + " cannot be decrypted with this password");
  return value;
}

void FileKeyring::set(const std::string& key, const Secret& value) {
  check_password();
  write_private_file(item_path(key), seal(password(), key, value.reveal()));
}

bool FileKeyring::remove(const std::string& key) {
  std::string path = item_path(key);
  if (!read_file_if_exists(path)) return false;
  check_password();
  return ::unlink(path.c_str()) == 0;
}

}  // namespace atmos::auth
