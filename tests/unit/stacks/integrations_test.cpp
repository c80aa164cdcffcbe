// Spacelift stack and Atlantis project names (src/stacks/integrations.hpp).
#include "stacks/integrations.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

namespace atmos::stacks {
namespace {

const char* const kSection = R"(
vars: {namespace: acme, tenant: plat, environment: use2, stage: dev, region: us-east-2, attributes: [blue, 2]}
settings:
  spacelift: {workspace_enabled: true}
  atlantis: {project_template_name: by-name}
)";

config::CliConfig config_with(const std::string& pattern, const std::string& tmpl = "") {
  config::CliConfig cfg;
  cfg.name_pattern = pattern;
  cfg.name_template = tmpl;
  cfg.raw = parse_yaml("integrations: {atlantis: {project_templates: {by-name: {name: '{tenant}-{stage}-{component}'}}}}");
  return cfg;
}

TEST(IntegrationNames, ContextTokensAreReplacedInOnePass) {
  NamingContext c = naming_context(parse_yaml(kSection).get("vars"), "infra/vpc");
  EXPECT_EQ(c.component, "infra-vpc");
  EXPECT_EQ(replace_context_tokens(c, "{namespace}-{tenant}-{environment}-{stage}-{region}-{component}-{attributes}"),
            "acme-plat-use2-dev-us-east-2-infra-vpc-blue-2");
  EXPECT_EQ(replace_context_tokens(c, "{base-component}|{component-path}|{workspace}|{terraform_workspace}|{other}"),
            "||||{other}");
  c.tenant = "{stage}";
  EXPECT_EQ(replace_context_tokens(c, "{tenant}"), "{stage}");
}

TEST(IntegrationNames, SpaceliftStackFromPatternNameOrDefault) {
  config::CliConfig cfg = config_with("{tenant}-{environment}-{stage}");
  IntegrationNames names(cfg);
  Value section = parse_yaml(kSection);
  EXPECT_EQ(names.spacelift_stack("s", "infra/vpc", section), "plat-use2-dev-infra-vpc");
  Value spacelift = section.get("settings").get("spacelift");
  Value named = section.with("settings", section.get("settings").with("spacelift", spacelift.with("stack_name", Value("fixed"))));
  EXPECT_EQ(names.spacelift_stack("s", "vpc", named), "fixed");
  Value patterned = named.with(
      "settings", named.get("settings").with("spacelift", named.get("settings").get("spacelift").with("stack_name_pattern", Value("{stage}-{component}"))));
  EXPECT_EQ(names.spacelift_stack("s", "infra/vpc", patterned), "dev-infra-vpc");
  Value disabled = section.with("settings", section.get("settings").with("spacelift", spacelift.with("workspace_enabled", Value(false))));
  EXPECT_EQ(names.spacelift_stack("s", "vpc", disabled), "");
}

TEST(IntegrationNames, SpaceliftStackFromNameTemplate) {
  config::CliConfig cfg = config_with("", "{{ .vars.tenant }}-{{ .vars.stage }}");
  IntegrationNames names(cfg);
  EXPECT_EQ(names.spacelift_stack("s", "vpc", parse_yaml(kSection)), "plat-dev-vpc");
}

TEST(IntegrationNames, SpaceliftErrorsNameWhatIsMissing) {
  Value section = parse_yaml(kSection);
  config::CliConfig none = config_with("");
  IntegrationNames unnamed(none);
  try {
    unnamed.spacelift_stack("orgs/plat/dev", "vpc", section);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "'stacks.name_template' (or the deprecated 'stacks.name_pattern') needs to be specified in 'atmos.yaml'");
  }
  config::CliConfig cfg = config_with("{tenant}-{environment}-{stage}");
  IntegrationNames names(cfg);
  try {
    names.spacelift_stack("plat-dev", "vpc", section.with("vars", section.get("vars").without("environment")));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "stack name pattern references a context part that is not defined in the stack file");
    EXPECT_EQ(e.explanation(), "the stack name pattern '{tenant}-{environment}-{stage}' specifies 'environment', but the stack "
                               "'plat-dev' does not have an environment defined in the stack file 'plat-dev'");
  }
  Map out;
  names.append_if_named("plat-dev", "vpc", section.with("vars", section.get("vars").without("environment")), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, "atlantis_project");
}

TEST(IntegrationNames, AtlantisProjectFromTemplateOrNamedTemplate) {
  config::CliConfig cfg = config_with("");
  IntegrationNames names(cfg);
  Value section = parse_yaml(kSection);
  EXPECT_EQ(names.atlantis_project("infra/vpc", section), "plat-dev-infra-vpc");
  Value atlantis = section.get("settings").get("atlantis");
  Value inline_template = section.with(
      "settings", section.get("settings").with("atlantis", atlantis.with("project_template", parse_yaml("{name: '{environment}-{component}'}"))));
  EXPECT_EQ(names.atlantis_project("vpc", inline_template), "use2-vpc");
  Value unknown = section.with("settings", section.get("settings").with("atlantis", atlantis.with("project_template_name", Value("nope"))));
  EXPECT_EQ(names.atlantis_project("vpc", unknown), "");
  EXPECT_EQ(names.atlantis_project("vpc", section.without("settings")), "");
}

}  // namespace
}  // namespace atmos::stacks
