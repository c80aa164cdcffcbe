#include "terraform/filesystem.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace fs = std::filesystem;
using atmos::Error;
using atmos::terraform::RealFileSystem;

namespace {

class RealFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("atmos-fs-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
  }
  fs::path dir_;
};

}  // namespace

TEST_F(RealFileSystemTest, WritesContentWithExactModeRegardlessOfUmask) {
  RealFileSystem files;
  mode_t old = ::umask(0077);
  files.write_file((dir_ / "a.json").string(), "{}\n", 0644);
  ::umask(old);
  files.write_file((dir_ / "b.json").string(), "secret", 0600);
  EXPECT_EQ(read(dir_ / "a.json"), "{}\n");
  EXPECT_EQ(mode_of(dir_ / "a.json"), 0644u);
  EXPECT_EQ(mode_of(dir_ / "b.json"), 0600u);
}

TEST_F(RealFileSystemTest, ReplacesExistingFileAndLeavesNoTemporaryFiles) {
  RealFileSystem files;
  std::string path = (dir_ / "backend.tf.json").string();
  files.write_file(path, "old", 0644);
  files.write_file(path, "new", 0600);
  EXPECT_EQ(read(path), "new");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(RealFileSystemTest, WriteIntoMissingDirectoryFailsWithIoError) {
  RealFileSystem files;
  try {
    files.write_file((dir_ / "missing" / "x.json").string(), "x", 0644);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), atmos::ErrorKind::Io);
    EXPECT_NE(e.message().find("missing/x.json"), std::string::npos);
  }
}

TEST_F(RealFileSystemTest, RemoveReportsWhetherTheFileExisted) {
  RealFileSystem files;
  files.write_file((dir_ / "x").string(), "x", 0644);
  EXPECT_TRUE(files.remove_file((dir_ / "x").string()));
  EXPECT_FALSE(files.remove_file((dir_ / "x").string()));
}

TEST_F(RealFileSystemTest, CreatesNestedDirectories) {
  RealFileSystem files;
  files.create_directories((dir_ / "a" / "b" / "c").string(), 0755);
  EXPECT_TRUE(files.is_directory((dir_ / "a" / "b" / "c").string()));
  EXPECT_FALSE(files.is_directory((dir_ / "nope").string()));
  files.create_directories((dir_ / "a" / "b" / "c").string(), 0755);
}
