#include "auth/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "core/error.hpp"

namespace atmos::auth {
namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const std::string& path) {
  return Error(ErrorKind::Io, what + " " + path + ": " + std::strerror(errno));
}

int open_lock_file(const std::string& path) {
  make_private_dirs(fs::path(path).parent_path().string());
  std::string lock = path + ".lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw io_error("cannot open lock file", lock);
  return fd;
}

}  // namespace

void make_private_dirs(const std::string& dir) {
  if (dir.empty()) return;
  fs::path p(dir);
  std::error_code ec;
  if (fs::is_directory(p, ec)) return;
  make_private_dirs(p.parent_path().string() == dir ? "" : p.parent_path().string());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw io_error("cannot create directory", dir);
}

void write_private_file(const std::string& path, const std::string& content) {
  fs::path target(path);
  make_private_dirs(target.parent_path().string());
  std::random_device rd;
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw io_error("cannot create", tmp);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = io_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw io_error("cannot flush", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = io_error("cannot replace", path);
    ::unlink(tmp.c_str());
    throw e;
  }
}

FileLock::FileLock(const std::string& path, std::chrono::milliseconds timeout) : lock_path_(path + ".lock") {
  acquire(true, std::chrono::steady_clock::now() + timeout);
}

std::optional<FileLock> FileLock::try_lock(const std::string& path) {
  FileLock lock;
  lock.lock_path_ = path + ".lock";
  if (!lock.acquire(false, std::chrono::steady_clock::now())) return std::nullopt;
  return lock;
}

bool FileLock::acquire(bool blocking, std::chrono::steady_clock::time_point deadline) {
  std::string guarded = lock_path_.substr(0, lock_path_.size() - 5);
  for (;;) {
    fd_ = open_lock_file(guarded);
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        Error e = io_error("cannot lock", lock_path_);
        ::close(fd_);
        fd_ = -1;
        throw e;
      }
      if (!blocking) {
        ::close(fd_);
        fd_ = -1;
        return false;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        ::close(fd_);
        fd_ = -1;
        throw Error(ErrorKind::Io, "failed to acquire file lock within timeout").explain("Another atmos process holds " + lock_path_ + ".");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // The holder before us may have removed the lock file: then this inode no longer guards anything.
    struct stat held {}, named {};
    if (::fstat(fd_, &held) == 0 && ::stat(lock_path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      return true;
    ::close(fd_);
    fd_ = -1;
  }
}

void FileLock::remove_lock_file() {
  if (fd_ >= 0) ::unlink(lock_path_.c_str());
}

FileLock::FileLock(FileLock&& other) noexcept : lock_path_(std::move(other.lock_path_)), fd_(other.fd_) { other.fd_ = -1; }

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace atmos::auth
