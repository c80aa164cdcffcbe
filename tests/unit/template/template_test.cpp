// Behaviour of the public API beyond what the Go corpus pins: parse-once/execute-many, function tables
// (dotted names, shadowing, errors), error phases, concurrency and deep recursion.
#include "template/template.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "../hostile_input.hpp"
#include "test_functions.hpp"

namespace atmos::tmpl {
namespace {

Value vars() { return Value::map({{"vars", Value::map({{"tenant", Value("plat")}, {"stage", Value("dev")}})}}); }

TEST(TemplateApi, ParsedOnceExecutesWithDifferentData) {
  Template t = Template::parse("name", "{{ .vars.tenant }}-{{ .vars.stage }}");
  EXPECT_EQ(t.name(), "name");
  EXPECT_EQ(t.execute(vars()), "plat-dev");
  EXPECT_EQ(t.execute(Value::map({{"vars", Value::map({{"tenant", Value("core")}, {"stage", Value("prod")}})}})),
            "core-prod");
}

TEST(TemplateApi, ErrorsReportTheirPhase) {
  try {
    Template::parse("t", "{{ .a }");
    FAIL() << "expected a parse error";
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.phase(), TemplateError::Phase::Parse);
    EXPECT_STREQ(e.what(), "template: t:1: unexpected \"}\" in operand");
  }
  Options opts;
  opts.missing_key = MissingKey::Error;
  try {
    render("t", "{{.a.b}}", Value::map({{"a", Value::empty_map()}}), opts);
    FAIL() << "expected an execution error";
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.phase(), TemplateError::Phase::Execute);
    EXPECT_STREQ(e.what(), "template: t:1:4: executing \"t\" at <.a.b>: map has no entry for key \"b\"");
  }
}

TEST(TemplateApi, MissingKeyModesDifferOnlyInWhatAMissingKeyYields) {
  Options opts;
  EXPECT_EQ(render("t", "{{.x}}|{{.x.y}}", Value::empty_map(), opts), "<no value>|<no value>");
  opts.missing_key = MissingKey::Zero;
  EXPECT_EQ(render("t", "{{.x}}", Value::empty_map(), opts), "<no value>");
  EXPECT_THROW(render("t", "{{.x.y}}", Value::empty_map(), opts), TemplateError);
  opts.missing_key = MissingKey::Error;
  EXPECT_THROW(render("t", "{{.x}}", Value::empty_map(), opts), TemplateError);
}

TEST(TemplateApi, CustomDelimitersLeaveDefaultOnesAsText) {
  Options opts;
  opts.left_delim = "[[";
  opts.right_delim = "]]";
  EXPECT_EQ(render("t", "{{ [[ .vars.stage ]] }}", vars(), opts), "{{ dev }}");
}

TEST(TemplateFuncTable, DottedNameResolvesAsOneFunctionWhenFirstSegmentIsNotAFunction) {
  FuncTable funcs;
  funcs.add("ns.Shout", [](std::span<const Value> args) { return Value(args.back().as_string() + "!"); });
  EXPECT_EQ(render("t", "{{ ns.Shout .vars.stage }}|{{ .vars.tenant | ns.Shout }}", vars(), {}, &funcs), "dev!|plat!");
}

TEST(TemplateFuncTable, DottedNameTakesLongestFunctionPrefixAndTheRestAsFields) {
  FuncTable funcs;
  funcs.add("ns.Config", [](std::span<const Value>) { return Value::map({{"region", Value("us-east-2")}}); });
  EXPECT_EQ(render("t", "{{ ns.Config.region }}", Value(), {}, &funcs), "us-east-2");
}

TEST(TemplateFuncTable, UnknownNamespaceIsReportedByItsFirstSegment) {
  FuncTable funcs;
  funcs.add("ns.Shout", [](std::span<const Value>) { return Value(); });
  try {
    render("t", "{{ other.Shout 1 }}", Value(), {}, &funcs);
    FAIL();
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "template: t:1: function \"other\" not defined");
  }
}

TEST(TemplateFuncTable, FunctionErrorIsReportedAsErrorCallingTheDottedName) {
  FuncTable funcs;
  funcs.add("ns.Fail", [](std::span<const Value>) -> Value { throw FunctionError("boom"); });
  try {
    render("t", "x {{ ns.Fail 1 }}", Value(), {}, &funcs);
    FAIL();
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "template: t:1:5: executing \"t\" at <ns.Fail 1>: error calling ns.Fail: boom");
  }
}

TEST(TemplateFuncTable, FunctionReceivesNullForMissingValuesAndNil) {
  FuncTable funcs;
  std::vector<Value> seen;
  funcs.add("capture", [&seen](std::span<const Value> args) {
    seen.assign(args.begin(), args.end());
    return Value();
  });
  EXPECT_EQ(render("t", "{{ capture .missing nil 1 \"s\" }}", Value::empty_map(), {}, &funcs), "<no value>");
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(seen[0].is_null());
  EXPECT_TRUE(seen[1].is_null());
  EXPECT_EQ(seen[2], Value(1));
  EXPECT_EQ(seen[3], Value("s"));
}

TEST(TemplateFuncTable, FunctionShadowsBuiltinOfTheSameName) {
  FuncTable funcs;
  funcs.add("len", [](std::span<const Value>) { return Value("custom"); });
  EXPECT_EQ(render("t", "{{ len \"abc\" }}", Value(), {}, &funcs), "custom");
}

TEST(TemplateFuncTable, ComplexLiteralCannotBePassedToAFunction) {
  FuncTable funcs = testing::test_functions();
  EXPECT_THROW(render("t", "{{ list 1i }}", Value(), {}, &funcs), TemplateError);
}

TEST(TemplateApi, ExecutesConcurrentlyFromManyThreads) {
  Template t = Template::parse("t", "{{ range $i, $v := .l }}{{ $i }}{{ printf \"%s\" $v }}{{ end }}");
  Value data = Value::map({{"l", Value::list({Value("a"), Value("b"), Value("c")})}});
  std::vector<std::string> results(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 200; ++n) results[i] = t.execute(data);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, "0a1b2c");
}

TEST(TemplateApi, DeepFiniteRecursionCompletesAcrossStacks) {
  List items(12000, Value(1));
  Value data = Value::map({{"l", Value::list(std::move(items))}});
  std::string out = render(
      "t", "{{define \"r\"}}{{if .}}x{{template \"r\" (slice . 1)}}{{end}}{{end}}{{template \"r\" .l}}", data, {});
  EXPECT_EQ(out, std::string(12000, 'x'));
}

TEST(TemplateApi, RunawayRecursionEndsWithGoDepthError) {
  atmos::testing::expect_cheap("template recursion depth", 384, [] {
    try {
      render("t", "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}", Value(), {});
      FAIL();
    } catch (const TemplateError& e) {
      EXPECT_STREQ(
          e.what(),
          "template: t:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (100000)");
    }
  });
}

TEST(TemplateApi, OutputStopsAtTheSizeLimit) {
  // t0 is 1 KiB of text and every t(i+1) is t(i) twice: t17 would be 128 MiB.
  std::string text = "{{define \"t0\"}}" + std::string(1024, 'x') + "{{end}}";
  for (int i = 1; i <= 17; ++i)
    text += "{{define \"t" + std::to_string(i) + "\"}}{{template \"t" + std::to_string(i - 1) + "\"}}{{template \"t" +
            std::to_string(i - 1) + "\"}}{{end}}";
  text += "{{template \"t17\"}}";
  atmos::testing::expect_cheap("template output size", 128, [&] {
    try {
      render("t", text, Value(), {});
      FAIL();
    } catch (const TemplateError& e) {
      EXPECT_EQ(e.phase(), TemplateError::Phase::Execute);
      EXPECT_NE(std::string(e.what()).find(": executing \"t0\" at <"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).substr(std::string(e.what()).rfind(">: ")),
                ">: the output exceeds 16 MiB, the limit for one template (see docs/limits.md)");
    }
  });
}

TEST(TemplateApi, AStringDoublingInARecursionStopsAtTheSizeLimit) {
  atmos::testing::expect_cheap("template string doubling", 192, [] {
    try {
      render("t", "{{define \"d\"}}{{template \"d\" printf \"%s%s\" . .}}{{end}}{{template \"d\" \"x\"}}", Value(), {});
      FAIL();
    } catch (const TemplateError& e) {
      EXPECT_EQ(std::string(e.what()).substr(std::string(e.what()).rfind(">: ")),
                ">: error calling printf: the result exceeds 16 MiB, the limit for one template (see docs/limits.md)")
          << e.what();
    }
  });
}

// Found by scripts/fuzz template as a (load-induced) timeout: Go's largest precision is cheap, not a hang.
TEST(TemplateApi, TheLargestPrintfPrecisionIsCheap) {
  atmos::testing::expect_cheap("printf %.999999g", 64, [] {
    std::string out = render("t", "{{printf \"%08.999999g|%+.999999e\" 3.141509 1234.5}}", Value(), {});
    EXPECT_EQ(out.substr(0, 10), "3.14150900");
    EXPECT_GT(out.size(), 1'000'000u);
  });
}

}  // namespace
}  // namespace atmos::tmpl
