#include "terraform/guard.hpp"

#include <gtest/gtest.h>

#include "core/yaml_load.hpp"

using atmos::Error;
using atmos::parse_yaml;
using atmos::Value;
using namespace atmos::terraform;

TEST(Guard, NamesEverySettingUpstreamActsOnWithItsFileAndLine) {
  Value section = parse_yaml(
      "hooks:\n  a:\n    command: store\n  b:\n    kind: tflint\nsource:\n  uri: x\nprovision: {}\nretry:\n  max_attempts: 3\n"
      "dependencies:\n  tools:\n    terraform: 1.9.0\n  components: [x]\nvars:\n  a: 1\n",
      "/repo/stacks/x.yaml");
  Value stores = parse_yaml("ssm:\n  type: aws-ssm-parameter-store\nredis:\n  type: redis\n", "/repo/atmos.yaml");
  std::vector<UnsupportedSetting> found = unsupported_settings(section, stores, "/repo");
  std::vector<std::string> lines;
  for (const auto& f : found) lines.push_back(f.setting + " @ " + f.source);
  EXPECT_EQ(lines, (std::vector<std::string>{"hooks.a (kind `store`) @ stacks/x.yaml:3", "hooks.b (kind `tflint`) @ stacks/x.yaml:5",
                                             "source @ stacks/x.yaml:7", "retry @ stacks/x.yaml:10",
                                             "dependencies.tools @ stacks/x.yaml:13", "stores.redis (type `redis`) @ atmos.yaml:4"}));
  Error e = unsupported_error("vpc", "dev", found);
  EXPECT_NE(e.explanation().find("\n  - source in stacks/x.yaml:7"), std::string::npos);
  EXPECT_TRUE(unsupported_settings(parse_yaml("vars: {a: 1}\nhooks: {}\n"), Value(), "/").empty());
  // Store hooks after an apply are run (cli/hooks.hpp); the same hook at another event is not.
  EXPECT_TRUE(unsupported_settings(parse_yaml("hooks:\n  s:\n    kind: store\n    events: [after-terraform-apply, after.terraform.deploy]\n"),
                                   Value(), "/").empty());
  EXPECT_EQ(unsupported_settings(parse_yaml("hooks:\n  s:\n    command: store\n    events: [after-terraform-apply, before-terraform-plan]\n"),
                                 Value(), "/").size(), 1u);
}

TEST(Guard, UnevaluatedFunctionsAreErrorsNamingTagFileAndLine) {
  Value section = parse_yaml("vars:\n  ok: '!not-a-function'\n  list:\n    - '!secret db/password'\n", "/repo/s.yaml");
  try {
    check_unevaluated_tags(section, "/repo");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "the YAML function `!secret` in 's.yaml:4' was not evaluated");
    EXPECT_NE(e.explanation().find("`vars.list[0]` is `!secret db/password`"), std::string::npos);
  }
  EXPECT_NO_THROW(check_unevaluated_tags(parse_yaml("vars:\n  a: '!important'\nsettings:\n  b: !labels x\n"), "/"));
}
