// A private directory for fuzzers whose parser reads a file: created once per process, in /dev/shm when it
// exists (no disk writes per input), removed at exit.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace atmos::fuzz {

class ScratchDir {
 public:
  ScratchDir() {
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    path_ = base + "/atmos-fuzz-XXXXXX";
    if (!::mkdtemp(path_.data())) std::abort();
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

}  // namespace atmos::fuzz
