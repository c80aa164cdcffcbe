#include "config/cli_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace fs = std::filesystem;
using atmos::MapEnvironment;
using atmos::Value;
using atmos::config::ConfigRequest;
using atmos::config::load_cli_config;

namespace {

class TempRepo : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("atmos-cfg-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "home");
    env_.set("HOME", (root_ / "home").string());
    env_.set("ATMOS_GIT_ROOT_BASEPATH", "false");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  atmos::config::CliConfig load(std::vector<std::string> profiles = {}) {
    ConfigRequest req;
    req.cwd = root_.string();
    req.env = &env_;
    req.profiles = std::move(profiles);
    return load_cli_config(req);
  }
  fs::path root_;
  MapEnvironment env_;
};

}  // namespace

TEST_F(TempRepo, NoAtmosYamlUsesBuiltInDefaults) {
  auto cfg = load();
  EXPECT_FALSE(cfg.any_file);
  EXPECT_EQ(cfg.name_pattern, "{tenant}-{environment}-{stage}");
  EXPECT_TRUE(cfg.get_bool({"components", "terraform", "auto_generate_backend_file"}));
}

TEST_F(TempRepo, AtmosYamlPresentLeavesUnsetBooleansFalse) {
  write("atmos.yaml", "base_path: ./\nstacks:\n  base_path: stacks\n  included_paths: ['**/*']\n");
  auto cfg = load();
  EXPECT_TRUE(cfg.any_file);
  EXPECT_FALSE(cfg.get_bool({"components", "terraform", "auto_generate_backend_file"}, false));
  EXPECT_EQ(cfg.stacks_base_abs, (root_ / "stacks").string());
  EXPECT_EQ(cfg.get_string({"logs", "level"}), "Warning");
}

TEST_F(TempRepo, AtmosDAndImportsMergeUnderTheFileItself) {
  write("atmos.yaml", "base_path: ./\nimport: ['configs/extra']\nlogs:\n  level: Info\n");
  write("atmos.d/a.yaml", "logs:\n  level: Debug\n  file: /tmp/from-atmos-d\n");
  write("configs/extra.yaml", "stacks:\n  name_template: '{{ .vars.stage }}'\nlogs:\n  level: Trace\n");
  auto cfg = load();
  EXPECT_EQ(cfg.log_level, "Info");
  EXPECT_EQ(cfg.log_file, "/tmp/from-atmos-d");
  EXPECT_EQ(cfg.name_template, "{{ .vars.stage }}");
}

TEST_F(TempRepo, ProfileMergesEveryFileOverTheBase) {
  write("atmos.yaml", "base_path: ./\nauth:\n  identities:\n    a: {kind: aws/user}\n");
  write("profiles/developers/atmos.yaml", "auth:\n  identities:\n    b: {kind: aws/assume-role}\n");
  write("profiles/developers/more/extra.yaml", "logs:\n  level: Debug\n");
  auto cfg = load({"developers"});
  EXPECT_TRUE(cfg.get({"auth", "identities", "a"}).is_map());
  EXPECT_TRUE(cfg.get({"auth", "identities", "b"}).is_map());
  EXPECT_EQ(cfg.log_level, "Debug");
  EXPECT_EQ(cfg.active_profiles, std::vector<std::string>{"developers"});
}

TEST_F(TempRepo, ProfileSearchOrderDotAtmosBeatsXdgBeatsProfilesDir) {
  write("atmos.yaml", "base_path: ./\n");
  write("profiles/p/atmos.yaml", "logs: {level: Error}\n");
  write("xdg/atmos/profiles/p/atmos.yaml", "logs: {level: Info}\n");
  env_.set("XDG_CONFIG_HOME", (root_ / "xdg").string());
  EXPECT_EQ(load({"p"}).log_level, "Info");
  write(".atmos/profiles/p/atmos.yaml", "logs: {level: Trace}\n");
  EXPECT_EQ(load({"p"}).log_level, "Trace");
}

TEST_F(TempRepo, ProfileFromEnvAndFromProfilesDefault) {
  write("atmos.yaml", "base_path: ./\nprofiles:\n  default: managers\n");
  write("profiles/managers/atmos.yaml", "logs: {level: Info}\n");
  write("profiles/devops/atmos.yaml", "logs: {level: Debug}\n");
  EXPECT_EQ(load().log_level, "Info");
  env_.set("ATMOS_PROFILE", "devops");
  EXPECT_EQ(load().log_level, "Debug");
}

TEST_F(TempRepo, UnknownProfileListsAvailableProfilesAndExits2) {
  write("atmos.yaml", "base_path: ./\n");
  write("profiles/devops/atmos.yaml", "{}\n");
  write("profiles/managers/atmos.yaml", "{}\n");
  try {
    load({"nope"});
    FAIL() << "expected an error";
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "profile not found");
    EXPECT_EQ(e.exit_code(), 2);
    ASSERT_FALSE(e.hints().empty());
    EXPECT_EQ(e.hints()[0], "Available profiles are: devops, managers");
  }
}

TEST_F(TempRepo, MalformedAtmosYamlNamesFileLineAndColumn) {
  write("atmos.yaml", "stacks:\n  base_path: stacks\n   bad: 1\n");
  try {
    load();
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_NE(e.explanation().find((root_ / "atmos.yaml").string() + ":3:"), std::string::npos) << e.explanation();
    EXPECT_NE(e.explanation().find("mapping values are not allowed in this context"), std::string::npos);
  }
}

TEST_F(TempRepo, EnvironmentOverridesAndRuntimeBasePath) {
  write("atmos.yaml", "base_path: ./\nstacks:\n  base_path: stacks\n");
  fs::create_directories(root_ / "other");
  env_.set("ATMOS_STACKS_BASE_PATH", "st2");
  env_.set("ATMOS_BASE_PATH", "other");
  auto cfg = load();
  EXPECT_EQ(cfg.base_path_abs, (root_ / "other").string());
  EXPECT_EQ(cfg.stacks_base_abs, (root_ / "other/st2").string());
}

TEST_F(TempRepo, ProfileReplacesAnIdentityWholesaleCaseInsensitively) {
  write("atmos.yaml",
        "base_path: ./\nauth:\n  identities:\n    Plat-Dev/Terraform:\n      kind: aws/permission-set\n"
        "      principal: {name: TerraformApplyAccess, account: {id: '1'}}\n");
  write("profiles/devs/atmos.yaml",
        "auth:\n  identities:\n    plat-dev/terraform:\n      kind: aws/assume-role\n"
        "      principal: {assume_role: 'arn:aws:iam::1:role/x'}\n");
  auto cfg = load({"devs"});
  Value ids = cfg.get({"auth", "identities"});
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids.at({"plat-dev/terraform", "kind"}), Value("aws/assume-role"));
  EXPECT_FALSE(ids.at({"plat-dev/terraform", "principal"}).has("name"));
  EXPECT_EQ(cfg.identity_files.at("plat-dev/terraform"), (root_ / "profiles/devs/atmos.yaml").string());
}
