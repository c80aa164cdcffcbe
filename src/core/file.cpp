#include "core/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/mount.hpp"

namespace atmos {
namespace {

Error read_error(const std::string& path, int err) {
  return Error(ErrorKind::Io, "failed to read file '" + path + "': " + std::strerror(err));
}

// Reads at most `max_bytes`; `what` names the limit in the error for a longer file.
Error too_large(const std::string& path, std::size_t max_bytes, const char* what) {
  return Error(ErrorKind::Io, "file '" + path + "' is larger than " + limits::size_text(max_bytes) + ", the limit for " + what +
                                  " (see docs/limits.md)");
}

// A file of a mounted tree (core/mount.hpp): its size is checked before its bytes are read.
std::optional<std::string> read_mounted(const MountedPath& m, const std::string& path, std::size_t max_bytes, const char* what) {
  PathKind kind = m.tree->kind(m.rel);
  if (kind == PathKind::Missing) return std::nullopt;
  if (kind == PathKind::Directory) throw read_error(path, EISDIR);
  std::optional<std::size_t> size = m.tree->size(m.rel);
  if (size && *size > max_bytes) throw too_large(path, max_bytes, what);
  std::optional<std::string> text = m.tree->read(m.rel);
  if (!text) throw read_error(path, ENOENT);
  return text;
}

std::optional<std::string> read_up_to(const std::string& path, std::size_t max_bytes, const char* what) {
  if (auto m = find_mount(path)) return read_mounted(*m, path, max_bytes, what);
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
      throw too_large(path, max_bytes, what);
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
