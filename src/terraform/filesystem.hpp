// The file operations the runner performs, behind an interface so tests can record them instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atmos::terraform {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Replaces `path` atomically with `content`: a temporary file in the same directory, created with `mode`
  // (exactly, regardless of umask), fsynced, then renamed over `path`. Throws Error(ErrorKind::Io) on failure and
  // leaves no temporary file behind.
  virtual void write_file(const std::string& path, std::string_view content, unsigned mode) = 0;
  // Removes a file. Returns false when it did not exist; other failures are ignored (cleanup must not mask the
  // command's own result).
  virtual bool remove_file(const std::string& path) = 0;
  virtual bool is_directory(const std::string& path) const = 0;
  // The file's content; nullopt when it does not exist. Throws Error(ErrorKind::Io) for other failures.
  virtual std::optional<std::string> read_file(const std::string& path) const = 0;
  // Creates the directory and its parents with `mode`; throws Error(ErrorKind::Io) on failure.
  virtual void create_directories(const std::string& path, unsigned mode) = 0;
};

class RealFileSystem final : public FileSystem {
 public:
  void write_file(const std::string& path, std::string_view content, unsigned mode) override;
  bool remove_file(const std::string& path) override;
  bool is_directory(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
  void create_directories(const std::string& path, unsigned mode) override;
};

}  // namespace atmos::terraform
