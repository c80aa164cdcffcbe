// The IAM Identity Center session on disk (docs/auth.md#files-and-caches): upstream's JSON file
// `<xdg cache>/atmos/aws-sso/sessions/<sha1(start_url|region)>.json`, mode 0600 in a 0700 directory, with the
// access token, its expiry, and what a refresh-token exchange needs.
#pragma once

#include <optional>
#include <string>

#include "aws/clock.hpp"
#include "core/secret.hpp"

namespace atmos::auth {

struct SsoSession {
  Secret access_token;
  aws::TimePoint expires_at;
  std::string region;
  std::string start_url;
  Secret refresh_token;
  std::string client_id;
  Secret client_secret;
  std::optional<aws::TimePoint> registration_expires_at;  // nullopt = Go's zero time (never)
};

class SsoTokenCache {
 public:
  explicit SsoTokenCache(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  // The stored session, nullopt when there is none or it cannot be read.
  std::optional<SsoSession> load() const;
  // Replaces the file atomically. Throws Error(Io).
  void save(const SsoSession& session) const;
  // Throws Error(Io) naming the path when save() could not replace the file (its path is a directory, or nothing
  // can be created beside it), so the device flow is not started for a session that could not be kept.
  void check_writable() const;
  // True when a file was removed.
  bool remove() const;

 private:
  std::string path_;
};

}  // namespace atmos::auth
