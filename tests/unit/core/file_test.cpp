#include "core/file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace {

TEST(ReadTextFile, ReturnsExactBytes) {
  std::string path = (std::filesystem::temp_directory_path() / "atmos_read_text_file_test.bin").string();
  std::string bytes = std::string("a: 1\r\n\0b", 8) + std::string(20000, 'x');
  { std::ofstream(path, std::ios::binary) << bytes; }
  EXPECT_EQ(atmos::read_text_file(path), bytes);
  std::remove(path.c_str());
}

TEST(ReadTextFile, MissingFileNamesPathAndReason) {
  try {
    atmos::read_text_file("/nonexistent/atmos/stack.yaml");
    FAIL() << "expected an error";
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.kind(), atmos::ErrorKind::Io);
    EXPECT_STREQ(e.what(), "failed to read file '/nonexistent/atmos/stack.yaml': No such file or directory");
  }
}

TEST(ReadTextFile, DirectoryIsAnError) {
  try {
    atmos::read_text_file("/");
    FAIL() << "expected an error";
  } catch (const atmos::Error& e) {
    EXPECT_STREQ(e.what(), "failed to read file '/': Is a directory");
  }
}

TEST(ReadFileIfExists, MissingFileOrParentIsNullopt) {
  EXPECT_FALSE(atmos::read_file_if_exists("/nonexistent/atmos/creds"));
  std::string file = (std::filesystem::temp_directory_path() / "atmos_read_file_if_exists_test").string();
  { std::ofstream(file) << "x"; }
  EXPECT_FALSE(atmos::read_file_if_exists(file + "/child"));
  std::remove(file.c_str());
}

TEST(ReadFileIfExists, DirectoryIsAnErrorNotMissing) {
  EXPECT_THROW(atmos::read_file_if_exists("/"), atmos::Error);
}

}  // namespace
