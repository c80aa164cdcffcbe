#include "core/glob.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using atmos::glob;
using atmos::glob_match;

TEST(GlobMatch, DoublestarMatchesZeroOrMoreDirectories) {
  EXPECT_TRUE(glob_match("/s/**/_defaults.yaml", "/s/_defaults.yaml"));
  EXPECT_TRUE(glob_match("/s/**/_defaults.yaml", "/s/a/b/_defaults.yaml"));
  EXPECT_FALSE(glob_match("/s/*/_defaults.yaml", "/s/a/b/_defaults.yaml"));
  EXPECT_TRUE(glob_match("**/catalog/**", "/x/catalog/a/b.yaml"));
  EXPECT_TRUE(glob_match("a/{b,c}/?.yaml", "a/c/x.yaml"));
  EXPECT_TRUE(glob_match("a/[a-c]*.yaml", "a/bz.yaml"));
  EXPECT_FALSE(glob_match("a/[!a-c]*.yaml", "a/bz.yaml"));
}

TEST(Glob, PreOrderDirectoriesSortedEntries) {
  fs::path root = fs::temp_directory_path() / ("atmos-glob-" + std::to_string(::getpid()));
  fs::remove_all(root);
  for (const char* f : {"b.yaml", "a/z.yaml", "a/b/c.yaml", "c/d.yaml", "a/y.yml"}) {
    fs::create_directories((root / f).parent_path());
    std::ofstream(root / f) << "x: 1\n";
  }
  std::vector<std::string> got = glob(root.string() + "/**/*.yaml");
  std::vector<std::string> want = {root / "b.yaml", root / "a/z.yaml", root / "a/b/c.yaml", root / "c/d.yaml"};
  EXPECT_EQ(got, want);
  fs::remove_all(root);
}
