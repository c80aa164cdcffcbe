#include "core/json_emit.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.hpp"
#include "emit_test_trees.hpp"

using atmos::JsonStyle;
using atmos::List;
using atmos::Map;
using atmos::to_json;
using atmos::Value;
using atmos::testing::deep_copy;
using atmos::testing::shared_workload;

namespace {

Value map(Map entries) { return Value::map(std::move(entries)); }

TEST(JsonEmit, IndentedMatchesGoMarshalIndentWithTrailingNewline) {
  Value v = map({{"b", Value::list({Value(1), Value("x"), Value()})},
                 {"a", map({{"z", Value(true)}, {"e", Value::empty_map()}, {"l", Value::list({})}})}});
  EXPECT_EQ(to_json(v),
            "{\n"
            "  \"a\": {\n"
            "    \"e\": {},\n"
            "    \"l\": [],\n"
            "    \"z\": true\n"
            "  },\n"
            "  \"b\": [\n"
            "    1,\n"
            "    \"x\",\n"
            "    null\n"
            "  ]\n"
            "}\n");
}

TEST(JsonEmit, CompactHasNoSpacesAndNoNewline) {
  Value v = map({{"a", Value::list({Value(1), Value(2)})}, {"b", Value::empty_map()}});
  EXPECT_EQ(to_json(v, JsonStyle::Compact), "{\"a\":[1,2],\"b\":{}}");
  EXPECT_EQ(to_json(Value(), JsonStyle::Compact), "null");
  EXPECT_EQ(to_json(Value("s")), "\"s\"\n");
}

TEST(JsonEmit, EscapesLikeGoWithHtmlEscaping) {
  EXPECT_EQ(to_json(Value("<a href=\"x\">&</a>"), JsonStyle::Compact),
            "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\"");
  EXPECT_EQ(to_json(Value("\n\r\t\b\f\x01\x1f\x7f\\"), JsonStyle::Compact),
            "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\x7f\\\\\"");
  EXPECT_EQ(to_json(Value("a\u2028b\u2029c"), JsonStyle::Compact), "\"a\\u2028b\\u2029c\"");
  EXPECT_EQ(to_json(Value("é日😀"), JsonStyle::Compact), "\"é日😀\"");
}

TEST(JsonEmit, ReplacesEachInvalidUtf8ByteWithReplacementCharacter) {
  EXPECT_EQ(to_json(Value(std::string("a\377\376b")), JsonStyle::Compact), "\"a\\ufffd\\ufffdb\"");
  // Truncated sequence, surrogate half, overlong encoding.
  EXPECT_EQ(to_json(Value(std::string("\xe6\x97")), JsonStyle::Compact), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(to_json(Value(std::string("\xed\xa0\x80")), JsonStyle::Compact), "\"\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(to_json(Value(std::string("\xc0\xaf")), JsonStyle::Compact), "\"\\ufffd\\ufffd\"");
}

TEST(JsonEmit, KeysAreEscapedToo) {
  EXPECT_EQ(to_json(map({{"a<b", Value(1)}}), JsonStyle::Compact), "{\"a\\u003cb\":1}");
}

TEST(JsonEmit, NumbersFollowEncodingJson) {
  auto j = [](Value v) { return to_json(v, JsonStyle::Compact); };
  EXPECT_EQ(j(Value(85.0)), "85");
  EXPECT_EQ(j(Value(-0.0)), "-0");
  EXPECT_EQ(j(Value(0.1)), "0.1");
  EXPECT_EQ(j(Value(1e20)), "100000000000000000000");
  EXPECT_EQ(j(Value(123456789012345678901.0)), "123456789012345680000");
  EXPECT_EQ(j(Value(1e21)), "1e+21");
  EXPECT_EQ(j(Value(0.000001)), "0.000001");
  EXPECT_EQ(j(Value(0.0000001)), "1e-7");
  EXPECT_EQ(j(Value(1.5e-10)), "1.5e-10");
  EXPECT_EQ(j(Value(5e-324)), "5e-324");
  EXPECT_EQ(j(Value(1.7976931348623157e308)), "1.7976931348623157e+308");
  EXPECT_EQ(j(Value(std::int64_t{-9223372036854775807} - 1)), "-9223372036854775808");
  EXPECT_EQ(j(Value::from_uint(18446744073709551615ull)), "18446744073709551615");
}

TEST(JsonEmit, NonFiniteFloatsFailWithGoMessage) {
  for (auto [v, text] : {std::pair{std::nan(""), "NaN"}, std::pair{HUGE_VAL, "+Inf"}, std::pair{-HUGE_VAL, "-Inf"}}) {
    try {
      to_json(map({{"a", Value(v)}}));
      ADD_FAILURE() << "no error for " << text;
    } catch (const atmos::Error& e) {
      EXPECT_EQ(e.message(), std::string("json: unsupported value: ") + text);
    }
  }
}

TEST(JsonEmit, FormatGoFloatCoversAllThreeFormats) {
  EXPECT_EQ(atmos::format_go_float(1500000, 'g'), "1.5e+06");
  EXPECT_EQ(atmos::format_go_float(123456, 'g'), "123456");
  EXPECT_EQ(atmos::format_go_float(0.0001, 'g'), "0.0001");
  EXPECT_EQ(atmos::format_go_float(0.00001, 'g'), "1e-05");
  EXPECT_EQ(atmos::format_go_float(0, 'g'), "0");
  EXPECT_EQ(atmos::format_go_float(0, 'e'), "0e+00");
  EXPECT_EQ(atmos::format_go_float(1.25, 'e'), "1.25e+00");
  EXPECT_EQ(atmos::format_go_float(0.5, 'f'), "0.5");
  EXPECT_EQ(atmos::format_go_float(-HUGE_VAL, 'f'), "-Inf");
}

TEST(JsonEmit, SharedSubtreesPrintExactlyLikeUnsharedCopies) {
  Value shared = shared_workload();
  Value copy = deep_copy(shared);
  EXPECT_EQ(to_json(shared), to_json(copy));
  EXPECT_EQ(to_json(shared, JsonStyle::Compact), to_json(copy, JsonStyle::Compact));
}

TEST(JsonEmit, StreamingHandsOutBoundedChunksOfTheSameBytes) {
  Value v = shared_workload();
  std::string whole = to_json(v);
  ASSERT_GT(whole.size(), 3u * 256 * 1024);
  std::string joined;
  std::size_t chunks = 0, largest = 0;
  atmos::write_json(v, [&](std::string_view c) {
    joined += c;
    ++chunks;
    largest = std::max(largest, c.size());
  });
  EXPECT_EQ(joined, whole);
  EXPECT_GE(chunks, 3u);
  EXPECT_LT(largest, 2u * 256 * 1024);
}

TEST(JsonEmit, WritesToFileAndStream) {
  Value v = map({{"k", Value("v")}});
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  atmos::write_json(v, f);
  std::rewind(f);
  char buf[64] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "{\n  \"k\": \"v\"\n}\n");
  std::ostringstream os;
  atmos::write_json(v, os, JsonStyle::Compact);
  EXPECT_EQ(os.str(), "{\"k\":\"v\"}");
}

TEST(JsonEmit, FailedWritesThrowIoError) {
  std::ostringstream os;
  os.setstate(std::ios::badbit);
  EXPECT_THROW(atmos::write_json(Value(1), os), atmos::Error);
}

}  // namespace
