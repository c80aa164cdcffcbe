#include "core/hcl.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

using atmos::parse_yaml;

TEST(Hcl, TfvarsAttributesBecomeAMap) {
  auto v = atmos::hcl::read_attributes(
      "cidr_block = \"10.0.0.0/16\" # comment\nenabled = true\ncount = 3\nzones = [\"a\", \"b\"]\n"
      "tags = {\n  Environment = \"Development\"\n  \"cost/center\" = \"1\"\n}\nnothing = null\n",
      "dev.tfvars");
  EXPECT_EQ(v, parse_yaml("{cidr_block: 10.0.0.0/16, enabled: true, count: 3, zones: [a, b], "
                          "tags: {Environment: Development, cost/center: '1'}, nothing: null}"));
}

TEST(Hcl, NonLiteralValueNamesFileAndLine) {
  try {
    atmos::hcl::read_attributes("a = 1\nb = var.x\n", "env/dev.tfvars");
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "unsupported HCL expression");
    EXPECT_NE(e.explanation().find("env/dev.tfvars:2: the value of `b` is not a literal"), std::string::npos);
  }
}

TEST(Hcl, BlocksLabelsAndTypeSource) {
  atmos::hcl::Document doc("variable \"x\" {\n  type = map(list(string))\n}\n");
  ASSERT_EQ(doc.root().blocks.size(), 1u);
  const auto& b = doc.root().blocks[0];
  EXPECT_EQ(b.type, "variable");
  EXPECT_EQ(b.labels, std::vector<std::string>{"x"});
  EXPECT_EQ(doc.source(*b.attribute("type")), "map(list(string))");
}

TEST(Hcl, NestingBeyondTenThousandLevelsIsNotALiteral) {
  try {
    atmos::hcl::read_attributes("a = " + std::string(1000000, '[') + "\n", "deep.tfvars");
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "unsupported HCL expression");
    EXPECT_NE(e.explanation().find("deep.tfvars:1: the value of `a` is not a literal"), std::string::npos);
  }
}
