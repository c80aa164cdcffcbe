#include "core/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace atmos {
namespace {

Error read_error(const std::string& path, int err) {
  return Error(ErrorKind::Io, "failed to read file '" + path + "': " + std::strerror(err));
}

// Reads at most `max_bytes`; `what` names the limit in the error for a longer file.
std::optional<std::string> read_up_to(const std::string& path, std::size_t max_bytes, const char* what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw read_error(path, errno);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw read_error(path, err);
    }
    if (n == 0) break;
    if (static_cast<std::size_t>(n) > max_bytes - out.size()) {
      ::close(fd);
      throw Error(ErrorKind::Io, "file '" + path + "' is larger than " + limits::size_text(max_bytes) + ", the limit for " +
                                     what + " (see docs/limits.md)");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

std::optional<std::string> read_file_if_exists(const std::string& path) {
  return read_up_to(path, std::string().max_size(), "");
}

std::string read_text_file(const std::string& path) {
  std::optional<std::string> text = read_file_if_exists(path);
  if (!text) throw read_error(path, ENOENT);
  return std::move(*text);
}

std::string read_manifest_file(const std::string& path) {
  std::optional<std::string> text = read_up_to(path, limits::kManifestFileBytes, "one stack manifest");
  if (!text) throw read_error(path, ENOENT);
  return std::move(*text);
}

}  // namespace atmos
