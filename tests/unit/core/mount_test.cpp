#include "core/mount.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/limits.hpp"

namespace fs = std::filesystem;
using namespace atmos;

namespace {

// A tree held in memory: file path → bytes; directories are implied by the paths.
class MemoryTree final : public FileTree {
 public:
  explicit MemoryTree(std::map<std::string, std::string> files) : files_(std::move(files)) {}

  PathKind kind(const std::string& rel) const override {
    if (files_.count(rel)) return PathKind::File;
    if (rel.empty()) return PathKind::Directory;
    for (const auto& [path, _] : files_)
      if (path.rfind(rel + "/", 0) == 0) return PathKind::Directory;
    return PathKind::Missing;
  }
  std::vector<std::string> list(const std::string& rel) const override {
    std::vector<std::string> out;
    std::string prefix = rel.empty() ? "" : rel + "/";
    for (const auto& [path, _] : files_) {
      if (path.rfind(prefix, 0) != 0) continue;
      std::string name = path.substr(prefix.size());
      name = name.substr(0, name.find('/'));
      if (out.empty() || out.back() != name) out.push_back(name);
    }
    return out;
  }
  std::optional<std::size_t> size(const std::string& rel) const override {
    auto it = files_.find(rel);
    if (it == files_.end()) return std::nullopt;
    ++sized;
    return it->second.size();
  }
  std::optional<std::string> read(const std::string& rel) const override {
    auto it = files_.find(rel);
    if (it == files_.end()) return std::nullopt;
    ++reads;
    return it->second;
  }

  mutable int sized = 0;
  mutable int reads = 0;

 private:
  std::map<std::string, std::string> files_;
};

std::shared_ptr<MemoryTree> sample() {
  return std::make_shared<MemoryTree>(std::map<std::string, std::string>{
      {"stacks/orgs/acme/dev.yaml", "vars: {stage: dev}\n"},
      {"stacks/orgs/acme/prod.yaml", "vars: {stage: prod}\n"},
      {"stacks/catalog/vpc.yaml", "components: {}\n"},
      {"README.md", "hi\n"}});
}

}  // namespace

TEST(Mount, ReadsKindsAndGlobsComeFromTheTree) {
  auto tree = sample();
  MountedTree mount("/nonexistent/repo@0123456789ab", tree);
  EXPECT_EQ(read_manifest_file("/nonexistent/repo@0123456789ab/stacks/orgs/acme/dev.yaml"), "vars: {stage: dev}\n");
  EXPECT_EQ(path_kind("/nonexistent/repo@0123456789ab/stacks/orgs"), PathKind::Directory);
  EXPECT_EQ(path_kind("/nonexistent/repo@0123456789ab"), PathKind::Directory);
  EXPECT_EQ(path_kind("/nonexistent/repo@0123456789ab/stacks/orgs/acme/dev.yaml"), PathKind::File);
  EXPECT_EQ(path_kind("/nonexistent/repo@0123456789ab/stacks/missing.yaml"), PathKind::Missing);
  EXPECT_EQ(read_file_if_exists("/nonexistent/repo@0123456789ab/stacks/missing.yaml"), std::nullopt);
  std::vector<std::string> want = {"/nonexistent/repo@0123456789ab/stacks/catalog/vpc.yaml",
                                   "/nonexistent/repo@0123456789ab/stacks/orgs/acme/dev.yaml",
                                   "/nonexistent/repo@0123456789ab/stacks/orgs/acme/prod.yaml"};
  EXPECT_EQ(glob("/nonexistent/repo@0123456789ab/stacks/**/*.yaml"), want);
  EXPECT_EQ(directory_entries("/nonexistent/repo@0123456789ab"), (std::vector<std::string>{"README.md", "stacks"}));
}

TEST(Mount, ADirectoryIsNotReadAsAFile) {
  MountedTree mount("/nonexistent/repo@dir", sample());
  try {
    read_text_file("/nonexistent/repo@dir/stacks");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "failed to read file '/nonexistent/repo@dir/stacks': Is a directory");
  }
}

TEST(Mount, OnlyPathsBelowThePrefixAreMounted) {
  MountedTree mount("/nonexistent/repo@ab", sample());
  EXPECT_TRUE(find_mount("/nonexistent/repo@ab/stacks").has_value());
  EXPECT_EQ(find_mount("/nonexistent/repo@ab/stacks")->rel, "stacks");
  EXPECT_FALSE(find_mount("/nonexistent/repo@abc/stacks").has_value());
  EXPECT_FALSE(find_mount("/nonexistent/repo").has_value());
  EXPECT_FALSE(find_mount("nonexistent/repo@ab/stacks").has_value());
}

TEST(Mount, AFileOverTheManifestLimitIsRefusedBeforeItIsRead) {
  auto tree = std::make_shared<MemoryTree>(
      std::map<std::string, std::string>{{"big.yaml", std::string(limits::kManifestFileBytes + 1, 'x')}});
  MountedTree mount("/nonexistent/big@1", tree);
  try {
    read_manifest_file("/nonexistent/big@1/big.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("file '/nonexistent/big@1/big.yaml' is larger than"), std::string::npos) << e.message();
  }
  EXPECT_EQ(tree->sized, 1);
  EXPECT_EQ(tree->reads, 0);
}

TEST(Mount, UnmountingShowsTheDiskAgain) {
  fs::path dir = fs::temp_directory_path() / ("atmos-mount-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.yaml") << "disk: true\n";
  {
    MountedTree mount(dir.string(), std::make_shared<MemoryTree>(std::map<std::string, std::string>{{"a.yaml", "tree: true\n"}}));
    EXPECT_EQ(read_text_file((dir / "a.yaml").string()), "tree: true\n");
  }
  EXPECT_EQ(read_text_file((dir / "a.yaml").string()), "disk: true\n");
  EXPECT_EQ(path_kind((dir / "a.yaml").string()), PathKind::File);
  fs::remove_all(dir);
}
