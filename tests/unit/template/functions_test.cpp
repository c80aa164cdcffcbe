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
