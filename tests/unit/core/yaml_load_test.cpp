#include "core/yaml_load.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/deep_stack.hpp"
#include "core/error.hpp"

using atmos::Kind;
using atmos::parse_yaml;
using atmos::Value;

namespace {

std::string yaml_error(const std::string& text) {
  try {
    parse_yaml(text, "f.yaml");
  } catch (const atmos::Error& e) {
    return e.message();
  }
  return "<no error>";
}

}  // namespace

TEST(YamlLoad, ResolvesPlainScalarsLikeYamlV3) {
  Value v = parse_yaml(
      "a: yes\nb: on\nc: True\nd: 0777\ne: 0o777\nf: 1_000\ng: .inf\nh: ~\ni: 0x1F\nj: +12\nk: 1.\n"
      "l: 12345678901234567890\nm: 2024-01-01\nn: '123'\no: !!str 123\np:\nq: -.Inf\nr: 1e3\n");
  EXPECT_EQ(v.get("a"), Value("yes"));
  EXPECT_EQ(v.get("b"), Value("on"));
  EXPECT_EQ(v.get("c"), Value(true));
  EXPECT_EQ(v.get("d").kind(), Kind::Int);
  EXPECT_EQ(v.get("d").as_int(), 511);
  EXPECT_EQ(v.get("e").as_int(), 511);
  EXPECT_EQ(v.get("f").as_int(), 1000);
  EXPECT_TRUE(std::isinf(v.get("g").as_float()));
  EXPECT_TRUE(v.get("h").is_null());
  EXPECT_EQ(v.get("i").as_int(), 31);
  EXPECT_EQ(v.get("j").as_int(), 12);
  EXPECT_EQ(v.get("k").kind(), Kind::Float);
  EXPECT_EQ(v.get("l").kind(), Kind::Uint);
  EXPECT_EQ(v.get("m"), Value("2024-01-01T00:00:00Z"));
  EXPECT_EQ(v.get("m").tag(), "!!timestamp");
  EXPECT_EQ(v.get("n"), Value("123"));
  EXPECT_EQ(v.get("o"), Value("123"));
  EXPECT_TRUE(v.get("p").is_null());
  EXPECT_LT(v.get("q").as_float(), 0);
  EXPECT_EQ(v.get("r").kind(), Kind::Float);
}

TEST(YamlLoad, KeepsCustomTagsAndPositions) {
  Value v = parse_yaml("vars:\n  region: !env AWS_REGION\n  list: !append\n    - a\n", "stack.yaml");
  Value region = v.at({"vars", "region"});
  EXPECT_EQ(region.tag(), "!env");
  EXPECT_EQ(region, Value("AWS_REGION"));
  ASSERT_NE(region.mark(), nullptr);
  EXPECT_EQ(region.mark()->line, 2u);
  EXPECT_EQ(region.mark()->column, 11u);
  EXPECT_EQ(*region.mark()->file, "stack.yaml");
  EXPECT_EQ(v.at({"vars", "list"}).tag(), "!append");
}

TEST(YamlLoad, MergeKeysExplicitWinsAndEarlierListItemWins) {
  Value v = parse_yaml("a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  x: 9\n  <<: [*a, *b]\n");
  Value c = v.get("c");
  EXPECT_EQ(c.get("x").as_int(), 9);
  EXPECT_EQ(c.get("y").as_int(), 1);
  EXPECT_EQ(c.get("z").as_int(), 2);
}

TEST(YamlLoad, DuplicateKeyErrorMatchesYamlV3) {
  EXPECT_EQ(yaml_error("a: 1\nb: 2\na: 3\n"), "yaml: unmarshal errors:\n  line 3: mapping key \"a\" already defined at line 1");
}

TEST(YamlLoad, MalformedInputErrorsMatchYamlV3) {
  EXPECT_EQ(yaml_error("components:\n  terraform:\n    vpc:\n      vars:\n        a: 1\n       b: 2\n"),
            "yaml: line 3: did not find expected key");
  EXPECT_EQ(yaml_error("vars:\n  name: \"hello\n  region: us-east-2\n"), "yaml: line 2: found unexpected end of stream");
  EXPECT_EQ(yaml_error("a: *nope\n"), "yaml: unknown anchor 'nope' referenced");
}

TEST(YamlLoad, FirstDocumentOnlyAndEmptyIsNull) {
  EXPECT_TRUE(parse_yaml("").is_null());
  EXPECT_EQ(parse_yaml("a: 1\n---\nb: 2\n").size(), 1u);
}

namespace {

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Parses on a deep stack as the binary does (core/deep_stack.hpp); "" when the document loads.
std::string deep_yaml_error(const std::string& text) {
  std::string out;
  atmos::run_on_deep_stack([&] {
    try {
      parse_yaml(text, "f.yaml");
    } catch (const atmos::Error& e) {
      out = e.message();
    }
  });
  return out;
}

// `levels` anchors, each a list of `fanout` aliases to the previous one (the "billion laughs" shape).
std::string laughs(int levels, int fanout) {
  std::string text = "a0: &a0 lol\n";
  for (int l = 1; l <= levels; ++l) {
    text += "a" + std::to_string(l) + ": &a" + std::to_string(l) + " [";
    for (int i = 0; i < fanout; ++i) text += (i ? ", *a" : "*a") + std::to_string(l - 1);
    text += "]\n";
  }
  return text;
}

}  // namespace

// yaml.v3's limit_test.go vectors: nesting beyond 10,000 levels is a scanner error, wherever it comes from.
TEST(YamlLoad, NestingBeyondTenThousandLevelsIsYamlV3sError) {
  EXPECT_EQ(deep_yaml_error(repeat("[", 1000 * 1024)), "yaml: exceeded max depth of 10000");
  EXPECT_EQ(deep_yaml_error("x: " + repeat("{", 1000 * 1024)), "yaml: exceeded max depth of 10000");
  EXPECT_EQ(deep_yaml_error(repeat("- ", 1000 * 1024)), "yaml: exceeded max depth of 10000");
  // A block mapping: the key that opens level 10,001 names the line.
  std::string block;
  for (int i = 0; i < 10001; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  EXPECT_EQ(deep_yaml_error(block), "yaml: line 10001: exceeded max depth of 10000");
  // A flow collection on a later line: the bracket's line.
  EXPECT_EQ(deep_yaml_error("a: 1\nb: " + repeat("[", 10001)), "yaml: line 2: exceeded max depth of 10000");
}

// Found by scripts/fuzz yaml (tests/fuzz/yaml/deep-complex-key-flow-nesting.yaml): flow collections nested under a
// complex key (`? [[[…`) recurse in the loader like any others; on a deep stack they load or fail cleanly.
TEST(YamlLoad, FlowNestingUnderAComplexKeyIsBoundedToo) {
  EXPECT_EQ(deep_yaml_error("vars:\n   nams.s \n? " + repeat("[", 1100)).substr(0, 12), "yaml: line 3");
  // A list is not a valid map key in Go either (yaml.v3 prints the key with %#v).
  EXPECT_EQ(deep_yaml_error("? " + repeat("[", 3) + repeat("]", 3) + "\n: v\n"),
            "yaml: invalid map key: []interface {}{[]interface {}{[]interface {}{}}}");
  EXPECT_EQ(deep_yaml_error("? " + repeat("[", 10001)), "yaml: exceeded max depth of 10000");
}

TEST(YamlLoad, NestingOfExactlyTenThousandLevelsLoads) {
  EXPECT_EQ(deep_yaml_error(repeat("[", 10000) + repeat("]", 10000)), "");
  EXPECT_EQ(deep_yaml_error(repeat(repeat("- ", 1000) + "\n", 1024 / 2)), "");
  std::string block;
  for (int i = 0; i < 10000; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  EXPECT_EQ(deep_yaml_error(block), "");
  // Flow and block depths are separate limits, as in yaml.v3's scanner; an indentless sequence adds no level.
  EXPECT_EQ(deep_yaml_error(repeat("- ", 9999) + "v: " + repeat("[", 10000) + repeat("]", 10000) + "\n"), "");
  EXPECT_EQ(deep_yaml_error(repeat("- ", 9999) + "k:\n" + std::string(2 * 9999, ' ') + "- x\n"), "");
  EXPECT_EQ(deep_yaml_error(repeat("- ", 10000) + "k:\n" + std::string(2 * 10000, ' ') + "- x\n"),
            "yaml: exceeded max depth of 10000");
}

// decode.go's allowedAliasRatio: accepted and rejected documents as go-yaml v3 decides them.
TEST(YamlLoad, AliasExpansionIsBoundedAsYamlV3BoundsIt) {
  EXPECT_EQ(deep_yaml_error(laughs(3, 10)), "");
  EXPECT_EQ(deep_yaml_error(laughs(4, 10)), "yaml: document contains excessive aliasing");
  EXPECT_EQ(deep_yaml_error(laughs(9, 9)), "yaml: document contains excessive aliasing");
  EXPECT_EQ(deep_yaml_error(laughs(100, 2)), "yaml: document contains excessive aliasing");
  // limit_test.go: 1000 KB of maps with 100 aliases of them is too much, the maps alone are fine.
  EXPECT_EQ(deep_yaml_error("{a: &a [{a}" + repeat(",{a}", 1000 * 1024 / 4 - 100) + "], b: &b [*a" + repeat(",*a", 99) + "]}"),
            "yaml: document contains excessive aliasing");
  EXPECT_EQ(deep_yaml_error("a: &a [{a}" + repeat(",{a}", 1000 * 1024 / 4 - 1) + "]"), "");
  // A syntax error later in the document wins: yaml.v3 parses everything before decoding.
  EXPECT_EQ(deep_yaml_error(laughs(9, 9) + "b: [\n"), "yaml: line 11: did not find expected node content");
  // A decode error met before the expansion wins too.
  EXPECT_EQ(deep_yaml_error("x: !!int foo\n" + laughs(9, 9)), "yaml: cannot decode !!str `foo` as a !!int");
}
