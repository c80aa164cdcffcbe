#include "auth/providers/sso_token_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/files.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string string_member(const Value& doc, const char* name) {
  Value v = doc.get(name);
  return v.is_string() ? v.as_string() : "";
}

}  // namespace

std::optional<SsoSession> SsoTokenCache::load() const {
  std::optional<std::string> text;
  try {
    text = read_file_if_exists(path_);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  Value doc;
  try {
    doc = parse_json(*text);
  } catch (const std::exception&) {
    log::debug("Ignoring unreadable SSO token cache path={}", path_);
    wipe(*text);
    return std::nullopt;
  }
  wipe(*text);
  if (!doc.is_map()) return std::nullopt;
  SsoSession s;
  s.access_token = Secret(string_member(doc, "accessToken"));
  auto expires = aws::parse_iso8601(string_member(doc, "expiresAt"));
  s.expires_at = expires ? *expires : aws::TimePoint{};
  s.region = string_member(doc, "region");
  s.start_url = string_member(doc, "startUrl");
  s.refresh_token = Secret(string_member(doc, "refreshToken"));
  s.client_id = string_member(doc, "clientId");
  s.client_secret = Secret(string_member(doc, "clientSecret"));
  std::string registration = string_member(doc, "registrationExpiresAt");
  if (!registration.empty() && registration != kZeroTime) s.registration_expires_at = aws::parse_iso8601(registration);
  return s;
}

void SsoTokenCache::save(const SsoSession& s) const {
  std::string out = "{\n";
  auto member = [&](const char* name, std::string_view value, bool last = false) {
    out += "  ";
    append_json_string(out, name);
    out += ": ";
    append_json_string(out, value);
    out += last ? "\n" : ",\n";
  };
  member("accessToken", s.access_token.reveal());
  member("expiresAt", aws::format_iso8601(s.expires_at));
  member("region", s.region);
  member("startUrl", s.start_url);
  member("refreshToken", s.refresh_token.reveal());
  member("clientId", s.client_id);
  member("clientSecret", s.client_secret.reveal());
  member("registrationExpiresAt", s.registration_expires_at ? aws::format_iso8601(*s.registration_expires_at) : kZeroTime, true);
  out += "}\n";
  write_private_file(path_, out);
  wipe(out);
  log::debug("Saved SSO token to cache path={} expiresAt={}", path_, aws::format_iso8601(s.expires_at));
}

void SsoTokenCache::check_writable() const {
  auto fail = [&](const std::string& reason) {
    throw Error(ErrorKind::Io, "cannot write the SSO token cache " + path_ + ": " + reason)
        .hint("Fix the path's permissions or set XDG_CACHE_HOME to a writable directory, then sign in again");
  };
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) fail("it exists and is not a regular file");
  std::string probe = path_ + ".probe-" + std::to_string(::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

bool SsoTokenCache::remove() const { return ::unlink(path_.c_str()) == 0; }

}  // namespace atmos::auth
