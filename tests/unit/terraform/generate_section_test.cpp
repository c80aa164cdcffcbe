#include "terraform/generate_section.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

using atmos::Error;
using atmos::parse_yaml;
using atmos::Value;
using namespace atmos::terraform;

namespace {

Value context() {
  Value section = parse_yaml("component: vpc\nvars:\n  environment: use2\n  stage: dev\nbackend_type: s3\n");
  return generate_template_context(section, "vpc/main", "plat-use2-dev", "plat-use2-dev");
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message() + " | " + e.explanation();
  }
  return "";
}

}  // namespace

TEST(GenerateSection, TemplateContextHasTheDocumentedVariables) {
  Value ctx = context();
  EXPECT_EQ(ctx.get("atmos_component").as_string(), "vpc/main");
  EXPECT_EQ(ctx.get("component").as_string(), "vpc");
  EXPECT_EQ(ctx.get("base_component").as_string(), "vpc");
  EXPECT_EQ(ctx.get("stage").as_string(), "dev");
  EXPECT_EQ(ctx.get("tenant").as_string(), "");
  EXPECT_EQ(ctx.get("backend_type").as_string(), "s3");
  EXPECT_TRUE(ctx.get("settings").is_map());
}

TEST(GenerateSection, StringContentIsAGoTemplate) {
  EXPECT_EQ(render_generated_file("README.md", Value("# {{ .atmos_component }} in {{ .atmos_stack }}\n"), context()),
            "# vpc/main in plat-use2-dev\n");
}

TEST(GenerateSection, JsonIsIndentedWithoutTrailingNewline) {
  Value content = parse_yaml("stack: '{{ .atmos_stack }}'\nlist: [1, a, true]\n");
  EXPECT_EQ(render_generated_file("config.tf.json", content, context()),
            "{\n  \"list\": [\n    1,\n    \"a\",\n    true\n  ],\n  \"stack\": \"plat-use2-dev\"\n}");
  EXPECT_EQ(render_generated_file("other.txt", parse_yaml("a: 1\n"), context()), "{\n  \"a\": 1\n}");
}

TEST(GenerateSection, YamlByExtension) {
  EXPECT_EQ(render_generated_file("conf.yml", parse_yaml("stage: '{{ .stage }}'\nids: [1, 2]\n"), context()), "ids:\n  - 1\n  - 2\nstage: dev\n");
}

TEST(GenerateSection, HclBlocksLabelsAndAlignedAttributes) {
  Value content = parse_yaml(
      "locals:\n  environment: '{{ .vars.environment }}'\n  id: 7\n  tags:\n    Managed By: atmos\n    Team: x\n"
      "variable:\n  name:\n    type: string\n"
      "resource:\n  aws_s3_bucket:\n    b:\n      bucket: 'x-${var.name}'\n"
      "count: 2\n");
  EXPECT_EQ(render_generated_file("extra.tf", content, context()),
            "count = 2\n"
            "locals {\n"
            "  environment = \"use2\"\n"
            "  id          = 7\n"
            "  tags = {\n"
            "    \"Managed By\" = \"atmos\"\n"
            "    Team         = \"x\"\n"
            "  }\n"
            "}\n"
            "resource \"aws_s3_bucket\" \"b\" {\n"
            "  bucket = \"x-$${var.name}\"\n"
            "}\n"
            "variable \"name\" {\n"
            "  type = \"string\"\n"
            "}\n");
}

TEST(GenerateSection, TfvarsAreFlatAttributes) {
  EXPECT_EQ(to_hcl(parse_yaml("foo: bar\nlongest: [a, 1]\nm:\n  k: null\n"), true),
            "foo     = \"bar\"\nlongest = [\"a\", 1]\nm = {\n  k = null\n}\n");
}

TEST(GenerateSection, BadContentIsAnErrorNamingTheFile) {
  EXPECT_EQ(message_of([] { render_generated_file("x.tf", parse_yaml("output:\n  o: 1\n"), context()); }),
            "failed to render the generated file 'x.tf' | labeled block output \"o\" expects a map, got 1");
  EXPECT_EQ(message_of([] { render_generated_file("x.tf", parse_yaml("'not id': 1\n"), context()); }),
            "failed to render the generated file 'x.tf' | 'not id' is not a valid HCL attribute name");
  EXPECT_NE(message_of([] { render_generated_file("notes.txt", Value("{{ .nope "), context()); })
                .find("failed to render the generated file 'notes.txt' | template: notes.txt:1"),
            std::string::npos);
  EXPECT_NE(message_of([] { render_generated_file("notes.txt", parse_yaml("[1]"), context()); }).find("unsupported content type"),
            std::string::npos);
}

TEST(GenerateSection, FileNamesMustStayInsideTheComponentDirectory) {
  EXPECT_EQ(generated_file_names(parse_yaml("a.tf: x\nsub/b.json: {}\n")), (std::vector<std::string>{"a.tf", "sub/b.json"}));
  for (const char* bad : {"/etc/passwd", "../x.tf", "a/../../x", "./x"})
    EXPECT_NE(message_of([&] { generated_file_names(Value::map({{bad, Value("x")}})); }).find("invalid file name"), std::string::npos) << bad;
  EXPECT_TRUE(generated_file_names(Value("x")).empty());
}
