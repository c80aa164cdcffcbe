#include "auth/identity_resolution.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

using atmos::Error;
using atmos::parse_yaml;
using namespace atmos::auth;

namespace {

AuthConfig config(const char* identities_yaml) {
  return AuthConfig::from(parse_yaml(std::string("providers:\n  sso: {kind: aws/iam-identity-center}\nidentities:\n") +
                                     identities_yaml),
                          {{"plat-dev/terraform", "profiles/developers/atmos.yaml"},
                           {"core-auto/terraform", "profiles/developers/atmos.yaml"},
                           {"plat-prod/terraform", "atmos.yaml"}});
}

const char* kIdentities =
    "  Plat-Dev/Terraform: {kind: aws/permission-set, via: {provider: sso}}\n"
    "  core-auto/terraform: {kind: aws/permission-set, via: {provider: sso}}\n"
    "  plat-prod/terraform: {kind: aws/permission-set, via: {provider: sso}}\n";

class ScriptedChooser : public IdentityChooser {
 public:
  explicit ScriptedChooser(std::optional<std::string> answer) : answer_(std::move(answer)) {}
  std::optional<std::string> choose(const std::string& title, const std::vector<std::string>& options) override {
    last_title = title;
    last_options = options;
    return answer_;
  }
  std::string last_title;
  std::vector<std::string> last_options;

 private:
  std::optional<std::string> answer_;
};

Error error_of(const ResolutionRequest& r, IdentityChooser* chooser = nullptr) {
  try {
    resolve_identity(r, chooser);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error";
  return Error(atmos::ErrorKind::Internal, "none");
}

}  // namespace

TEST(IdentityResolution, FlagBeatsEnvironmentAndDefaults) {
  AuthConfig cfg = config(kIdentities);
  ResolutionRequest r{"core-auto/terraform", "plat-prod/terraform", {{"plat-dev/terraform", "stacks/dev.yaml"}}, &cfg, {}};
  IdentityChoice c = resolve_identity(r, nullptr);
  EXPECT_EQ(c.source, IdentitySource::Flag);
  EXPECT_EQ(c.identity, "core-auto/terraform");
  EXPECT_EQ(c.reason(), "--identity flag");
}

TEST(IdentityResolution, LookupIsCaseInsensitiveAndShowsConfiguredCase) {
  AuthConfig cfg = config(kIdentities);
  ResolutionRequest r{"PLAT-DEV/TERRAFORM", std::nullopt, {}, &cfg, {}};
  EXPECT_EQ(resolve_identity(r, nullptr).identity, "Plat-Dev/Terraform");
}

TEST(IdentityResolution, EnvironmentBeatsDefaults) {
  AuthConfig cfg = config(kIdentities);
  ResolutionRequest r{std::nullopt, "plat-prod/terraform", {{"plat-dev/terraform", "stacks/dev.yaml"}}, &cfg, {}};
  IdentityChoice c = resolve_identity(r, nullptr);
  EXPECT_EQ(c.source, IdentitySource::Environment);
  EXPECT_EQ(c.identity, "plat-prod/terraform");
}

TEST(IdentityResolution, FalseValuesDisableFromFlagAndEnvironment) {
  AuthConfig cfg = config(kIdentities);
  for (const char* v : {"false", "0", "no", "OFF"}) {
    EXPECT_EQ(resolve_identity({v, std::nullopt, {}, &cfg, {}}, nullptr).source, IdentitySource::Disabled);
    EXPECT_EQ(resolve_identity({std::nullopt, v, {}, &cfg, {}}, nullptr).source, IdentitySource::Disabled);
  }
  // The flag decides even when it names an identity and the environment disables.
  EXPECT_EQ(resolve_identity({"core-auto/terraform", "false", {}, &cfg, {}}, nullptr).source, IdentitySource::Flag);
}

TEST(IdentityResolution, StackDefaultBeatsConfigDefaultAndNamesItsFile) {
  AuthConfig cfg = config(
      "  plat-dev/terraform: {kind: aws/permission-set, via: {provider: sso}}\n"
      "  plat-prod/terraform: {kind: aws/permission-set, via: {provider: sso}, default: true}\n");
  ResolutionRequest r{std::nullopt, std::nullopt, {{"plat-dev/terraform", "stacks/orgs/acme/plat/dev/_defaults.yaml"}}, &cfg, {}};
  IdentityChoice c = resolve_identity(r, nullptr);
  EXPECT_EQ(c.source, IdentitySource::StackDefault);
  EXPECT_EQ(c.identity, "plat-dev/terraform");
  EXPECT_EQ(c.reason(), "stack default from stacks/orgs/acme/plat/dev/_defaults.yaml");
}

TEST(IdentityResolution, ConfigDefaultWhenTheStackSaysNothing) {
  AuthConfig cfg = config(
      "  plat-dev/terraform: {kind: aws/permission-set, via: {provider: sso}}\n"
      "  plat-prod/terraform: {kind: aws/permission-set, via: {provider: sso}, default: true}\n");
  IdentityChoice c = resolve_identity({std::nullopt, std::nullopt, {}, &cfg, {}}, nullptr);
  EXPECT_EQ(c.source, IdentitySource::ConfigDefault);
  EXPECT_EQ(c.identity, "plat-prod/terraform");
  EXPECT_EQ(c.file, "atmos.yaml");
}

TEST(IdentityResolution, TwoStackDefaultsWithoutTerminalNameBothAndTheirFiles) {
  AuthConfig cfg = config(kIdentities);
  ResolutionRequest r{std::nullopt, std::nullopt,
                      {{"plat-dev/terraform", "stacks/a.yaml"}, {"core-auto/terraform", "stacks/b.yaml"}}, &cfg, {}};
  Error e = error_of(r);
  EXPECT_EQ(e.message(), "multiple default identities found: `[Plat-Dev/Terraform core-auto/terraform]`");
  EXPECT_NE(e.explanation().find("Plat-Dev/Terraform (set in stacks/a.yaml)"), std::string::npos);
  EXPECT_NE(e.explanation().find("core-auto/terraform (set in stacks/b.yaml)"), std::string::npos);
}

TEST(IdentityResolution, TwoDefaultsOnATerminalPromptAmongThemOnly) {
  AuthConfig cfg = config(kIdentities);
  ScriptedChooser chooser("core-auto/terraform");
  ResolutionRequest r{std::nullopt, std::nullopt,
                      {{"plat-dev/terraform", "stacks/a.yaml"}, {"core-auto/terraform", "stacks/b.yaml"}}, &cfg, {}};
  IdentityChoice c = resolve_identity(r, &chooser);
  EXPECT_EQ(c.identity, "core-auto/terraform");
  EXPECT_EQ(c.source, IdentitySource::Selected);
  EXPECT_EQ(chooser.last_options, (std::vector<std::string>{"Plat-Dev/Terraform", "core-auto/terraform"}));
  EXPECT_EQ(chooser.last_title, "Multiple default identities found. Please choose one:");
}

TEST(IdentityResolution, TwoConfigDefaultsAreAnErrorWhenNotInteractive) {
  AuthConfig cfg = config(
      "  plat-dev/terraform: {kind: aws/permission-set, via: {provider: sso}, default: true}\n"
      "  plat-prod/terraform: {kind: aws/permission-set, via: {provider: sso}, default: true}\n");
  Error e = error_of({std::nullopt, std::nullopt, {}, &cfg, {}});
  EXPECT_EQ(e.message(), "multiple default identities found: `[plat-dev/terraform plat-prod/terraform]`");
  EXPECT_NE(e.explanation().find("(set in profiles/developers/atmos.yaml)"), std::string::npos);
  EXPECT_NE(e.explanation().find("(set in atmos.yaml)"), std::string::npos);
}

TEST(IdentityResolution, SameIdentityMarkedTwiceCountsOnce) {
  AuthConfig cfg = config(kIdentities);
  ResolutionRequest r{std::nullopt, std::nullopt,
                      {{"plat-dev/terraform", "stacks/a.yaml"}, {"PLAT-DEV/terraform", "stacks/b.yaml"}}, &cfg, {}};
  EXPECT_EQ(resolve_identity(r, nullptr).file, "stacks/a.yaml");
}

TEST(IdentityResolution, StackDefaultMissingFromProfileNamesTheFiles) {
  AuthConfig cfg = config(kIdentities);
  ResolutionRequest r{std::nullopt, std::nullopt, {{"plat-staging/terraform", "stacks/staging/_defaults.yaml"}}, &cfg,
                      {"atmos.yaml", "profiles/developers/atmos.yaml"}};
  Error e = error_of(r);
  EXPECT_EQ(e.message(), "invalid identity config");
  EXPECT_EQ(e.explanation(),
            "Component default identity \"plat-staging/terraform\" (set in stacks/staging/_defaults.yaml) is not defined "
            "in the active global auth configuration (atmos.yaml, profiles/developers/atmos.yaml).");
}

TEST(IdentityResolution, UnknownIdentityListsWhatTheProfileDefines) {
  AuthConfig cfg = config(kIdentities);
  Error e = error_of({"plat-dev/terrafrom", std::nullopt, {}, &cfg, {"profiles/developers/atmos.yaml"}});
  EXPECT_EQ(e.message(), "identity not found");
  EXPECT_NE(e.explanation().find("read from profiles/developers/atmos.yaml"), std::string::npos);
  EXPECT_NE(e.explanation().find("\n  - core-auto/terraform"), std::string::npos);
  EXPECT_EQ(e.hints().at(0), "Did you mean `Plat-Dev/Terraform`?");
}

TEST(IdentityResolution, NoDefaultAnywhere) {
  AuthConfig cfg = config(kIdentities);
  EXPECT_EQ(error_of({std::nullopt, std::nullopt, {}, &cfg, {}}).message(),
            "no default identity configured for authentication");
  ScriptedChooser chooser("plat-prod/terraform");
  EXPECT_EQ(resolve_identity({std::nullopt, std::nullopt, {}, &cfg, {}}, &chooser).identity, "plat-prod/terraform");
  EXPECT_EQ(chooser.last_title, "No default identity configured. Please choose an identity:");
}

TEST(IdentityResolution, BareFlagNeedsATerminalAndAbortExits130) {
  AuthConfig cfg = config(kIdentities);
  EXPECT_EQ(error_of({"", std::nullopt, {}, &cfg, {}}).message(), "interactive identity selection: requires a TTY");
  ScriptedChooser aborting(std::nullopt);
  Error e = error_of({"__SELECT__", std::nullopt, {}, &cfg, {}}, &aborting);
  EXPECT_EQ(e.message(), "user aborted");
  EXPECT_EQ(e.exit_code(), 130);
}
