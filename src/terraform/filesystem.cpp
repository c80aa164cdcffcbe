#include "terraform/filesystem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/file.hpp"

namespace atmos::terraform {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorKind::Io, "failed to " + what + " '" + path + "': " + std::strerror(err));
}

std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

void RealFileSystem::write_file(const std::string& path, std::string_view content, unsigned mode) {
  std::string tmp = temp_name(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw io_error("write", path, errno);
  auto fail = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("write", path, err);
  };
  if (::fchmod(fd, mode) != 0) throw fail(errno);
  for (std::size_t done = 0; done < content.size();) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail(errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) throw fail(errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw io_error("write", path, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw io_error("write", path, err);
  }
}

bool RealFileSystem::remove_file(const std::string& path) { return ::unlink(path.c_str()) == 0; }

bool RealFileSystem::is_directory(const std::string& path) const {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::optional<std::string> RealFileSystem::read_file(const std::string& path) const { return read_file_if_exists(path); }

void RealFileSystem::create_directories(const std::string& path, unsigned mode) {
  std::filesystem::path p(path);
  std::filesystem::path cur;
  for (const auto& part : p) {
    cur /= part;
    if (cur.empty() || is_directory(cur.string())) continue;
    if (::mkdir(cur.string().c_str(), mode) != 0 && errno != EEXIST) throw io_error("create directory", cur.string(), errno);
  }
}

}  // namespace atmos::terraform
