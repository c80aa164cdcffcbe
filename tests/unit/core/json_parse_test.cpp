// The JSON parser on the inputs fuzzing (scripts/fuzz json) flagged, and its error text.
#include "core/json_parse.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "../hostile_input.hpp"

#include "core/error.hpp"

using atmos::parse_json;
using atmos::Value;

namespace {

// RapidJSON's first escaped string grows its reader stack from a null pointer (UndefinedBehaviorSanitizer:
// "applying non-zero offset to null pointer"; the sanitizer builds leave that check out, see CMakeLists.txt).
TEST(JsonParse, EscapedStringsAndSurrogatePairsDecode) {
  Value v = parse_json(R"({"error":"authorization_pending","error_description":"Pending \u00e9 \ud83d\ude00"})");
  EXPECT_EQ(v.get("error_description").as_string(), "Pending \xc3\xa9 \xf0\x9f\x98\x80");
}

// Found by scripts/fuzz json: RapidJSON 1.1.0's full-precision conversion counted the leading zeros of the
// zero significand of "0e308" (UndefinedBehaviorSanitizer: "passing zero to clz()") and returned 6e-269.
TEST(JsonParse, ZeroWithAHugeExponentIsZero) {
  Value v = parse_json("[0e308, -0e308, 0.0e-400, 0e0, 0e300]");
  ASSERT_EQ(v.size(), 5u);
  for (const Value& n : v.as_list()) EXPECT_EQ(n.as_float(), 0.0);
  EXPECT_TRUE(std::signbit(v.as_list()[1].as_float()));
}

TEST(JsonParse, NumbersKeepTheirKindAndFullPrecision) {
  Value v = parse_json("[1, -9223372036854775808, 18446744073709551615, 18446744073709551616, 0.1, 1e-400, "
                       "2.2250738585072011e-308, 9007199254740993]");
  const auto& l = v.as_list();
  EXPECT_EQ(l[0].as_int(), 1);
  EXPECT_EQ(l[1].as_int(), INT64_MIN);
  EXPECT_EQ(l[2], Value::from_uint(18446744073709551615u));
  EXPECT_EQ(l[3].as_float(), 18446744073709551616.0);
  EXPECT_EQ(l[4].as_float(), 0.1);
  EXPECT_EQ(l[5].as_float(), 0.0);
  EXPECT_EQ(l[6].as_float(), 2.2250738585072011e-308);
  EXPECT_EQ(l[7].as_int(), 9007199254740993);
  Value floats = parse_json("[9007199254740993, 18446744073709551615]", true);
  EXPECT_EQ(floats.as_list()[0].as_float(), 9007199254740992.0);
  EXPECT_EQ(floats.as_list()[1].as_float(), 18446744073709551616.0);
}

TEST(JsonParse, NumbersBeyondADoubleAreAnError) {
  try {
    parse_json("[1e400]");
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "invalid JSON: Number too big to be stored in double. (at byte 1)");
  }
}

TEST(JsonParse, NestingStopsAtTheDepthLimit) {
  std::string deep = std::string(1 << 20, '[') + std::string(1 << 20, ']');
  atmos::testing::expect_cheap("1M nested JSON arrays", 64, [&] {
    try {
      parse_json(deep);
      FAIL();
    } catch (const atmos::Error& e) {
      EXPECT_EQ(e.message(), "invalid JSON: nested deeper than 10000 levels, the limit (see docs/limits.md) (at byte 10000)");
    }
  });
  Value ok = parse_json(std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_TRUE(ok.is_list());
}

TEST(JsonParse, MalformedInputIsAnErrorWithTheOffset) {
  try {
    parse_json("{\"a\": [1, 2}");
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "invalid JSON: Missing a comma or ']' after an array element. (at byte 11)");
  }
}

}  // namespace
