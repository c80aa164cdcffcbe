// Files the auth layer writes: atomically (temporary file in the same directory, fsync, rename) with mode 0600
// in 0700 directories, and exclusive OS locks (flock on `<path>.lock`) that serialise writers across processes.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace atmos::auth {

// Creates `dir` and its missing parents with mode 0700. Throws Error(Io).
void make_private_dirs(const std::string& dir);

// Replaces `path` with `content` atomically, mode 0600; the parent directory is created 0700. Throws Error(Io).
void write_private_file(const std::string& path, const std::string& content);

// An exclusive lock on `<path>.lock`, released on destruction. Blocks up to `timeout`, then throws
// Error(Io, "failed to acquire file lock within timeout"). Not copyable; movable. The lock file may be removed by
// its holder (remove_lock_file, when the file it guards is gone): a process that then locks the removed inode sees
// that the path no longer names it and locks the new file instead, so two holders can never coexist.
class FileLock {
 public:
  FileLock(const std::string& path, std::chrono::milliseconds timeout);
  // Non-blocking: nullopt when another process holds the lock.
  static std::optional<FileLock> try_lock(const std::string& path);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();
  // Unlinks `<path>.lock` while holding it (logout leaves no lock files behind).
  void remove_lock_file();

 private:
  FileLock() = default;
  // Locks (blocking or not); false when non-blocking and another process holds it.
  bool acquire(bool blocking, std::chrono::steady_clock::time_point deadline);
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace atmos::auth
