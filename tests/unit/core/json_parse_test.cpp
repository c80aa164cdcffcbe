#include "core/json_parse.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"

using atmos::parse_json;
using atmos::Value;

TEST(JsonParse, NestingIsLimitedLikeGosEncodingJson) {
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  Value v = parse_json(deep);
  EXPECT_TRUE(v.is_list());
  try {
    parse_json(std::string(1000000, '['));
    FAIL() << "no error";
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "invalid JSON: exceeded max depth of 10000 (at byte 10000)");
  }
}

TEST(JsonParse, MalformedInputNamesTheByte) {
  try {
    parse_json("{\"a\": }");
    FAIL() << "no error";
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "invalid JSON: Invalid value. (at byte 6)");
  }
}
