#include "core/yaml_emit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "emit_test_trees.hpp"

using atmos::List;
using atmos::Map;
using atmos::to_yaml;
using atmos::Value;
using atmos::testing::deep_copy;
using atmos::testing::shared_workload;

namespace {

Value map(Map entries) { return Value::map(std::move(entries)); }
std::string value_line(const Value& v) { return to_yaml(map({{"v", v}})); }

TEST(YamlEmit, BlockCollectionsIndentTwoWithSequencesUnderTheirKey) {
  Value v =
      map({{"vars", map({{"azs", Value::list({Value("a"), Value("b")})}, {"cidr", Value("10.0.0.0/16")}})},
           {"list", Value::list({map({{"name", Value("x")}, {"n", Value(1)}}), Value::list({Value(1), Value(2)})})}});
  EXPECT_EQ(to_yaml(v),
            "list:\n"
            "  - \"n\": 1\n"
            "    name: x\n"
            "  - - 1\n"
            "    - 2\n"
            "vars:\n"
            "  azs:\n"
            "    - a\n"
            "    - b\n"
            "  cidr: 10.0.0.0/16\n");
}

TEST(YamlEmit, EmptyCollectionsNullAndRootScalars) {
  EXPECT_EQ(to_yaml(map({{"a", Value::empty_map()}, {"b", Value::list({})}, {"c", Value()}})),
            "a: {}\nb: []\nc: null\n");
  EXPECT_EQ(to_yaml(Value()), "null\n");
  EXPECT_EQ(to_yaml(Value::empty_map()), "{}\n");
  EXPECT_EQ(to_yaml(Value("x")), "x\n");
  EXPECT_EQ(to_yaml(Value::list({Value::empty_map(), Value::list({})})), "- {}\n- []\n");
}

TEST(YamlEmit, QuotesStringsThatWouldReadBackAsSomethingElse) {
  EXPECT_EQ(value_line(Value("123")), "v: \"123\"\n");
  EXPECT_EQ(value_line(Value("1.5")), "v: \"1.5\"\n");
  EXPECT_EQ(value_line(Value("true")), "v: \"true\"\n");
  EXPECT_EQ(value_line(Value("null")), "v: \"null\"\n");
  EXPECT_EQ(value_line(Value("")), "v: \"\"\n");
  EXPECT_EQ(value_line(Value("yes")), "v: \"yes\"\n");
  EXPECT_EQ(value_line(Value("Off")), "v: \"Off\"\n");
  EXPECT_EQ(value_line(Value("12:30")), "v: \"12:30\"\n");
  EXPECT_EQ(value_line(Value("2024-01-01")), "v: \"2024-01-01\"\n");
  EXPECT_EQ(value_line(Value("0x1F")), "v: \"0x1F\"\n");
  EXPECT_EQ(value_line(Value(".inf")), "v: \".inf\"\n");
  EXPECT_EQ(value_line(Value("truE")), "v: truE\n");
  EXPECT_EQ(value_line(Value("1.2.3")), "v: 1.2.3\n");
  EXPECT_EQ(value_line(Value("<<")), "v: <<\n");
  EXPECT_EQ(value_line(Value("1e400")), "v: 1e400\n");
}

TEST(YamlEmit, SingleQuotesWhenOnlyIndicatorsForbidPlain) {
  EXPECT_EQ(value_line(Value(": x")), "v: ': x'\n");
  EXPECT_EQ(value_line(Value("- a")), "v: '- a'\n");
  EXPECT_EQ(value_line(Value("#x")), "v: '#x'\n");
  EXPECT_EQ(value_line(Value("a #x")), "v: 'a #x'\n");
  EXPECT_EQ(value_line(Value("*a")), "v: '*a'\n");
  EXPECT_EQ(value_line(Value("it's")), "v: it's\n");
  EXPECT_EQ(value_line(Value("'q'")), "v: '''q'''\n");
  EXPECT_EQ(value_line(Value(" lead")), "v: ' lead'\n");
  EXPECT_EQ(value_line(Value("{{ .vars.x }}")), "v: '{{ .vars.x }}'\n");
  EXPECT_EQ(value_line(Value("a: b")), "v: 'a: b'\n");
  EXPECT_EQ(value_line(Value("a:b")), "v: a:b\n");
}

TEST(YamlEmit, DoubleQuotesAndEscapesWhatCannotBeSingleQuoted) {
  EXPECT_EQ(value_line(Value("a\tb")), "v: \"a\\tb\"\n");
  EXPECT_EQ(value_line(Value(std::string("\x01", 1))), "v: \"\\x01\"\n");
  EXPECT_EQ(value_line(Value("😀")), "v: \"\\U0001F600\"\n");
  EXPECT_EQ(value_line(Value("é")), "v: é\n");
  EXPECT_EQ(value_line(Value("\357\273\277ab")), "v: \"\\uFEFF\\x61\\x62\"\n");
  EXPECT_EQ(value_line(Value("trailing \nx")), "v: \"trailing \\nx\"\n");
}

TEST(YamlEmit, MultiLineStringsBecomeLiteralBlocksWithChomping) {
  EXPECT_EQ(value_line(Value("a\nb\n")), "v: |\n  a\n  b\n");
  EXPECT_EQ(value_line(Value("a\nb")), "v: |-\n  a\n  b\n");
  EXPECT_EQ(value_line(Value("a\n\n")), "v: |+\n  a\n\n");
  EXPECT_EQ(value_line(Value(" a\nb")), "v: |2-\n   a\n  b\n");
  EXPECT_EQ(to_yaml(Value::list({Value("x\ny\n")})), "- |\n  x\n  y\n");
  EXPECT_EQ(to_yaml(map({{"a", map({{"b", Value("x\n")}})}})), "a:\n  b: |\n    x\n");
}

TEST(YamlEmit, LongLinesAreNotFolded) {
  std::string words;
  for (int i = 0; i < 30; ++i) words += "word ";
  words += "end";
  EXPECT_EQ(value_line(Value(words)), "v: " + words + "\n");
}

TEST(YamlEmit, KeysInNaturalOrder) {
  Value v = map({{"a10", Value(1)},
                 {"a2", Value(2)},
                 {"a1", Value(3)},
                 {"B", Value(4)},
                 {"_x", Value(5)},
                 {"10", Value(6)},
                 {"9", Value(7)}});
  EXPECT_EQ(to_yaml(v), "_x: 5\n\"9\": 7\n\"10\": 6\nB: 4\na1: 3\na2: 2\na10: 1\n");
  EXPECT_TRUE(atmos::yaml_key_less("a2", "a10"));
  EXPECT_FALSE(atmos::yaml_key_less("a10", "a2"));
  EXPECT_TRUE(atmos::yaml_key_less("v1", "v01"));
  EXPECT_TRUE(atmos::yaml_key_less("1a", "15"));
  EXPECT_TRUE(atmos::yaml_key_less("x", "xy"));
}

TEST(YamlEmit, KeysLongerThan128BytesOrMultiLineUseExplicitForm) {
  std::string k128(128, 'k'), k129(129, 'k');
  EXPECT_EQ(to_yaml(map({{k128, Value(1)}})), k128 + ": 1\n");
  EXPECT_EQ(to_yaml(map({{k129, Value(1)}})), "? " + k129 + "\n: 1\n");
  EXPECT_EQ(to_yaml(map({{k129, map({{"a", Value(1)}, {"b", Value(2)}})}})), "? " + k129 + "\n: a: 1\n  b: 2\n");
  EXPECT_EQ(to_yaml(map({{"a\nb", Value(1)}})), "? |-\n  a\n  b\n: 1\n");
}

TEST(YamlEmit, NumbersAndSpecialFloats) {
  Value v = Value::list({Value(1500000.0), Value(1e-05), Value(85.0), Value(-0.0), Value(HUGE_VAL), Value(-HUGE_VAL),
                         Value(std::nan("")), Value(std::int64_t{-7}), Value::from_uint(18446744073709551615ull),
                         Value(true)});
  EXPECT_EQ(to_yaml(v),
            "- 1.5e+06\n- 1e-05\n- 85\n- -0\n- .inf\n- -.inf\n- .nan\n- -7\n- 18446744073709551615\n- true\n");
}

TEST(YamlEmit, InvalidUtf8PrintsAsBinary) {
  EXPECT_EQ(value_line(Value(std::string("\xff\xfe"))), "v: !!binary //4=\n");
  std::string big(60, '\xff');
  EXPECT_EQ(value_line(Value(big)),
            "v: !!binary |\n  "
            "//////////////////////////////////////////////////////////////////////\n  "
            "//////////\n");
}

TEST(YamlEmit, TimestampTaggedStringsPrintPlain) {
  EXPECT_EQ(value_line(Value("2024-01-01T00:00:00Z").with_tag("!!timestamp")), "v: 2024-01-01T00:00:00Z\n");
  EXPECT_EQ(value_line(Value("2024-01-01T00:00:00Z")), "v: \"2024-01-01T00:00:00Z\"\n");
}

TEST(YamlEmit, SharedSubtreesPrintExactlyLikeUnsharedCopies) {
  Value shared = shared_workload();
  EXPECT_EQ(to_yaml(shared), to_yaml(deep_copy(shared)));
}

TEST(YamlEmit, StreamingHandsOutBoundedChunksOfTheSameBytes) {
  Value v = shared_workload();
  std::string whole = to_yaml(v);
  ASSERT_GT(whole.size(), 3u * 256 * 1024);
  std::string joined;
  std::size_t chunks = 0, largest = 0;
  atmos::write_yaml(v, [&](std::string_view c) {
    joined += c;
    ++chunks;
    largest = std::max(largest, c.size());
  });
  EXPECT_EQ(joined, whole);
  EXPECT_GE(chunks, 3u);
  EXPECT_LT(largest, 2u * 256 * 1024);
}

TEST(YamlEmit, WritesToFileAndStream) {
  Value v = map({{"k", Value::list({Value("v")})}});
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  atmos::write_yaml(v, f);
  std::rewind(f);
  char buf[64] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "k:\n  - v\n");
  std::ostringstream os;
  atmos::write_yaml(v, os);
  EXPECT_EQ(os.str(), "k:\n  - v\n");
}

}  // namespace
