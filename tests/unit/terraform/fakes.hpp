// Test doubles for the runner's services: files kept in memory, processes recorded with scripted exit codes.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "terraform/filesystem.hpp"
#include "terraform/process.hpp"

namespace atmos::terraform::testing {

class FakeFileSystem final : public FileSystem {
 public:
  struct File {
    std::string content;
    unsigned mode = 0;
  };
  void write_file(const std::string& path, std::string_view content, unsigned mode) override {
    files[path] = File{std::string(content), mode};
    log.push_back("write " + path);
  }
  bool remove_file(const std::string& path) override {
    log.push_back("remove " + path);
    return files.erase(path) != 0;
  }
  bool is_directory(const std::string& path) const override { return directories.count(path) != 0; }
  std::optional<std::string> read_file(const std::string& path) const override {
    auto it = files.find(path);
    return it == files.end() ? std::nullopt : std::optional<std::string>(it->second.content);
  }
  void create_directories(const std::string& path, unsigned) override {
    directories.insert(path);
    log.push_back("mkdir " + path);
  }

  std::map<std::string, File> files;
  std::set<std::string> directories;
  std::vector<std::string> log;
};

class FakeProcessRunner final : public ProcessRunner {
 public:
  ProcessResult run(const ProcessSpec& spec) override {
    runs.push_back(spec);
    std::string line = spec.program;
    for (const auto& a : spec.args) line += " " + a;
    commands.push_back(line);
    auto it = exit_codes.find(line);
    return ProcessResult{it == exit_codes.end() ? 0 : it->second, ""};
  }
  // The env of the n-th run as a map.
  std::map<std::string, std::string> env_of(std::size_t n) const {
    std::map<std::string, std::string> out;
    for (const auto& e : runs.at(n).env) out[e.substr(0, e.find('='))] = e.substr(e.find('=') + 1);
    return out;
  }

  std::map<std::string, int> exit_codes;  // full command line → exit code (default 0)
  std::vector<ProcessSpec> runs;
  std::vector<std::string> commands;
};

}  // namespace atmos::terraform::testing
