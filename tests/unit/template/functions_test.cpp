#include "template/functions.hpp"

#include <gtest/gtest.h>

#include "core/yaml_load.hpp"

using atmos::MapEnvironment;
using atmos::parse_yaml;
using atmos::Value;
namespace tmpl = atmos::tmpl;

namespace {

std::string render(const std::string& text, const Value& data = Value::empty_map(), bool sprig = true, bool gomplate = true) {
  MapEnvironment env({{"USER", "alice"}, {"HOME", "/home/alice"}});
  tmpl::FuncTable funcs = tmpl::atmos_functions(env, sprig, gomplate);
  return tmpl::render("t", text, data, tmpl::Options{}, &funcs);
}

}  // namespace

TEST(TemplateFunctions, SprigDefaultsEnvAndExpandenv) {
  EXPECT_EQ(render(R"({{ env "USER" | default (env "USERNAME") }})"), "alice");
  EXPECT_EQ(render(R"({{ env "NOPE" | default "fallback" }})"), "fallback");
  EXPECT_EQ(render(R"({{ expandenv "home=$HOME ${USER} $NOPE." }})"), "home=/home/alice alice .");
  EXPECT_EQ(render(R"({{ empty .x }} {{ empty "" }} {{ empty 0 }} {{ empty "a" }})", parse_yaml("x: []")), "true true true false");
  EXPECT_EQ(render(R"({{ coalesce "" .a "b" }})", parse_yaml("a: ''")), "b");
  EXPECT_EQ(render(R"({{ ternary "y" "n" true }})"), "y");
}

TEST(TemplateFunctions, SprigStringsAndCollections) {
  EXPECT_EQ(render(R"({{ "Hello" | upper }} {{ lower "ABC" }} {{ title "hello world" }})"), "HELLO abc Hello World");
  EXPECT_EQ(render(R"({{ trimSuffix "-x" "name-x" }} {{ trimPrefix "a-" "a-b" }} {{ replace "-" "_" "a-b-c" }})"), "name b a_b_c");
  EXPECT_EQ(render(R"({{ join "," .l }})", parse_yaml("l: [a, 1, true]")), "a,1,true");
  EXPECT_EQ(render(R"({{ quote "a\"b" 3 }})"), R"("a\"b" "3")");
  EXPECT_EQ(render(R"({{ hasKey . "a" }} {{ hasKey . "z" }})", parse_yaml("a: 1")), "true false");
  EXPECT_EQ(render(R"({{ toJson . }})", parse_yaml("b: [1, x]\na: {c: '<'}")), R"({"a":{"c":"\u003c"},"b":[1,"x"]})");
  EXPECT_EQ(render(R"({{ toJson (dict "k" (list 1 2)) }})"), R"({"k":[1,2]})");
}

TEST(TemplateFunctions, GomplateStringsNamespace) {
  EXPECT_EQ(render(R"({{ strings.Title .c }} in {{ .s | strings.Quote }})", parse_yaml("c: vpc-flow logs\ns: plat-dev")),
            R"(Vpc-Flow Logs in "plat-dev")");
}

TEST(TemplateFunctions, DisabledSetsAreNotDefined) {
  EXPECT_THROW(render(R"({{ upper "a" }})", Value::empty_map(), false, true), tmpl::TemplateError);
  EXPECT_THROW(render(R"({{ strings.Title "a" }})", Value::empty_map(), true, false), tmpl::TemplateError);
}

TEST(TemplateFunctions, WrongArityIsAGoStyleError) {
  try {
    render(R"({{ trimSuffix "x" }})");
    FAIL();
  } catch (const tmpl::TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("error calling trimSuffix: wrong number of args for trimSuffix: want 2 got 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(TemplateFunctions, SprigConversionsMathAndErrors) {
  EXPECT_EQ(render(R"({{ (fromJson "{\"a\":[1,2]}").a }} {{ fromJson "nope" }})"), "[1 2] map[]");
  EXPECT_EQ(render(R"({{ required "need x" .x }})", parse_yaml("x: 1")), "1");
  EXPECT_THROW(render(R"({{ required "need x" .x }})", parse_yaml("y: 1")), tmpl::TemplateError);
  EXPECT_EQ(render(R"({{ atoi "42" }} {{ atoi "x" }} {{ int 3.9 }} {{ add 1 2 "3" }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 2 }})"),
            "42 0 3 6 -2 24 3 1");
  EXPECT_EQ(render(R"({{ toString 1.5 }} {{ toString true }})"), "1.5 true");
  try {
    render(R"({{ div 1 0 }})");
    FAIL();
  } catch (const tmpl::TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("error calling div: runtime error: integer divide by zero"), std::string::npos);
  }
}

TEST(TemplateFunctions, SprigListsDictsAndEncodings) {
  Value data = parse_yaml("l: [b, a, b, '', c]\nd: {x: 1, y: {z: 2}}\ne: {y: {z: 9, w: 3}, q: 4}");
  EXPECT_EQ(render(R"({{ first .l }} {{ last .l }} {{ uniq .l }} {{ compact .l }} {{ sortAlpha .l }})", data), "b c [b a  c] [b a b c] [ a b b c]");
  EXPECT_EQ(render(R"({{ append .l "z" | len }} {{ concat .l (list 1) | len }} {{ has "a" .l }} {{ has "q" .l }})", data), "6 6 true false");
  EXPECT_EQ(render(R"({{ keys .d }} {{ get .d "x" }} {{ get .d "nope" }}|{{ pick .d "x" }} {{ omit .d "x" }})", data),
            "[x y] 1 |map[x:1] map[y:map[z:2]]");
  EXPECT_EQ(render(R"({{ toJson (merge .d .e) }})", data), R"({"q":4,"x":1,"y":{"w":3,"z":2}})");
  EXPECT_EQ(render(R"({{ split "," "a,b,c" }} {{ splitList "," "a,b" }} {{ (split "-" "x-y")._1 }})"), "map[_0:a _1:b _2:c] [a b] y");
  EXPECT_EQ(render(R"({{ b64enc "hello!?" }} {{ b64dec "aGVsbG8hPw==" }} {{ b64dec "@@" }})"), "aGVsbG8hPw== hello!? illegal base64 data at input byte 0");
  EXPECT_EQ(render(R"({{ "a\nb" | indent 2 }}|{{ "a" | nindent 2 }}|{{ repeat 3 "ab" }})"), "  a\n  b|\n  a|ababab");
}

TEST(TemplateFunctions, GomplateStringsConvAndData) {
  EXPECT_EQ(render(R"({{ strings.Split "," "a,b" }} {{ strings.ReplaceAll "-" "_" "a-b-c" }} {{ strings.Trim "-" "--x--" }})"), "[a b] a_b_c x");
  EXPECT_EQ(render(R"({{ strings.Contains "b" "abc" }} {{ strings.HasPrefix "a" "abc" }} {{ strings.HasSuffix "c" "abc" }})"), "true true true");
  EXPECT_EQ(render(R"({{ conv.ToString 5 }} {{ conv.ToInt64 "12" }} {{ conv.ToBool "true" }} {{ conv.ToBool "no" }})"), "5 12 true false");
  EXPECT_EQ(render(R"({{ (data.JSON "{\"a\":{\"b\":1}}").a.b }} {{ (data.YAML "a: [1, 2]").a }} {{ data.ToJSON (dict "k" "v") }})"), "1 [1 2] {\"k\":\"v\"}");
}
