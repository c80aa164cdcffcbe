// JsonResponse on hostile answers: deep nesting costs heap, not stack (docs/limits.md).
#include "aws/json_wire.hpp"

#include <gtest/gtest.h>

#include <string>

#include "../hostile_input.hpp"

namespace atmos::aws {
namespace {

TEST(JsonResponse, AMillionNestedArraysParseWithoutExhaustingTheStack) {
  std::string body = "{\"a\":" + std::string(1 << 20, '[') + std::string(1 << 20, ']') + ",\"b\":\"x\"}";
  atmos::testing::expect_cheap("1M nested arrays in a JSON answer", 256, [&] {
    JsonResponse json(body);
    EXPECT_EQ(json.string("b"), "x");
  });
}

TEST(JsonResponse, MalformedAnswersNameTheErrorAndOffsetOnly) {
  std::string body = "{\"token\": \"secret\", ";
  try {
    JsonResponse json(body);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "malformed JSON response: Missing a name for object member. (offset 20)");
  }
}

}  // namespace
}  // namespace atmos::aws
