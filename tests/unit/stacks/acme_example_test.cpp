// The example organization (examples/acme): every profile is a valid auth configuration, and each stack's
// default identity resolves from its stage's _defaults.yaml in the profiles that define it.
#include <gtest/gtest.h>

#include <filesystem>

#include "auth/auth_config.hpp"
#include "auth/identity_resolution.hpp"
#include "config/cli_config.hpp"
#include "stacks/engine.hpp"
#include "stacks/provenance.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kAcme = (fs::path(ATMOS_TEST_DATA) / "../../../../examples/acme").lexically_normal();

atmos::config::CliConfig load(const std::string& profile, atmos::MapEnvironment& env) {
  env.set("HOME", fs::temp_directory_path().string());
  env.set("ATMOS_GIT_ROOT_BASEPATH", "false");
  atmos::config::ConfigRequest req;
  req.cwd = kAcme.string();
  req.env = &env;
  if (!profile.empty()) req.profiles = {profile};
  return atmos::config::load_cli_config(req);
}

}  // namespace

TEST(AcmeExample, EveryProfileIsAValidAuthConfiguration) {
  for (const char* profile : {"devops", "developers", "managers", "superadmin", "github-plan", "github-apply"}) {
    atmos::MapEnvironment env;
    auto cfg = load(profile, env);
    auto auth = atmos::auth::AuthConfig::from(cfg.get({"auth"}), cfg.identity_files);
    EXPECT_TRUE(auth.validate().empty()) << profile << ": " << (auth.validate().empty() ? "" : auth.validate()[0]);
    EXPECT_GE(auth.identities().size(), 8u) << profile;
    for (const auto& id : auth.identities()) EXPECT_FALSE(id.is_default) << profile << " " << id.name;
  }
}

TEST(AcmeExample, StackDefaultIdentityComesFromTheStagesDefaultsFile) {
  atmos::MapEnvironment env;
  auto cfg = load("developers", env);
  atmos::stacks::StackEngine engine(cfg, atmos::stacks::go_template_renderer(cfg));
  auto sc = engine.find_component("vpc", "plat-use2-dev");
  std::vector<atmos::auth::DefaultMark> marks;
  for (const auto& m : atmos::stacks::stack_default_identities(*sc.manifest, sc.component, sc.section))
    marks.push_back({m.identity, m.file});
  auto auth = atmos::auth::AuthConfig::from(cfg.get({"auth"}), cfg.identity_files);
  atmos::auth::ResolutionRequest req{std::nullopt, std::nullopt, marks, &auth, cfg.profile_files};
  auto choice = atmos::auth::resolve_identity(req, nullptr);
  EXPECT_EQ(choice.identity, "plat-dev/terraform");
  EXPECT_EQ(choice.source, atmos::auth::IdentitySource::StackDefault);
  EXPECT_EQ(fs::path(choice.file).lexically_relative(kAcme).string(), "stacks/orgs/acme/plat/dev/_defaults.yaml");
  EXPECT_EQ(auth.chain(choice.identity), (std::vector<std::string>{"acme-sso", "plat-dev/terraform"}));
}

TEST(AcmeExample, SuperadminChainsThroughTheRootUser) {
  atmos::MapEnvironment env;
  auto cfg = load("superadmin", env);
  auto auth = atmos::auth::AuthConfig::from(cfg.get({"auth"}), cfg.identity_files);
  EXPECT_EQ(auth.chain("plat-prod/terraform"), (std::vector<std::string>{"core-root/terraform", "plat-prod/terraform"}));
}
