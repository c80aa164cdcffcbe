#include "terraform/child_environment.hpp"

#include <gtest/gtest.h>

#include "core/yaml_load.hpp"

using atmos::parse_yaml;
using atmos::Value;
using namespace atmos::terraform;

namespace {

EnvironmentSettings settings() {
  EnvironmentSettings s;
  s.cli_config_path = "/repo";
  s.base_path_abs = "/repo";
  s.append_user_agent = "Atmos/test (Cloud Posse; +https://atmos.tools)";
  return s;
}

}  // namespace

TEST(ChildEnvironment, ComponentEnvOverridesOsAndNullsAreDroppedWithoutUnsetting) {
  EnvMap os{{"HOME", "/home/u"}, {"KEEP", "os"}, {"OVERRIDE", "os"}};
  Value env = parse_yaml("OVERRIDE: component\nKEEP: null\nLITERAL: \"null\"\nNUM: 3\nFLAG: true\nF: 1000000.0\n"
                         "LIST: [a, 1]\nMAP: {b: 2, a: x}\n");
  EnvMap out = child_environment(os, env, {}, settings(), "");
  EXPECT_EQ(out["OVERRIDE"], "component");
  EXPECT_EQ(out["KEEP"], "os");
  EXPECT_EQ(out.count("LITERAL"), 0u);
  EXPECT_EQ(out["NUM"], "3");
  EXPECT_EQ(out["FLAG"], "true");
  EXPECT_EQ(out["F"], "1e+06");
  EXPECT_EQ(out["LIST"], "[a 1]");
  EXPECT_EQ(out["MAP"], "map[a:x b:2]");
  EXPECT_EQ(out["HOME"], "/home/u");
}

TEST(ChildEnvironment, AtmosVariablesWinOverComponentEnv) {
  Value env = parse_yaml("TF_IN_AUTOMATION: \"false\"\nATMOS_BASE_PATH: /elsewhere\n");
  EnvMap out = child_environment({}, env, {}, settings(), "");
  EXPECT_EQ(out["TF_IN_AUTOMATION"], "true");
  EXPECT_EQ(out["ATMOS_BASE_PATH"], "/repo");
  EXPECT_EQ(out["ATMOS_CLI_CONFIG_PATH"], "/repo");
  EXPECT_EQ(out["TF_APPEND_USER_AGENT"], "Atmos/test (Cloud Posse; +https://atmos.tools)");
  EXPECT_EQ(out["ATMOS_SHLVL"], "1");
  EXPECT_EQ(out.count("TF_WORKSPACE"), 0u);
}

TEST(ChildEnvironment, UserAgentFromOsEnvironmentWinsWhenNonEmpty) {
  EXPECT_EQ(child_environment({{"TF_APPEND_USER_AGENT", "ci/1"}}, Value(), {}, settings(), "")["TF_APPEND_USER_AGENT"], "ci/1");
  EXPECT_EQ(child_environment({{"TF_APPEND_USER_AGENT", ""}}, Value(), {}, settings(), "")["TF_APPEND_USER_AGENT"],
            "Atmos/test (Cloud Posse; +https://atmos.tools)");
}

TEST(ChildEnvironment, ShellLevelIsIncremented) {
  EXPECT_EQ(child_environment({{"ATMOS_SHLVL", "2"}}, Value(), {}, settings(), "")["ATMOS_SHLVL"], "3");
}

TEST(ChildEnvironment, IdentityVariablesAreSetAndAmbientOnesRemoved) {
  IdentityEnvironment id;
  id.set = {{"AWS_PROFILE", "plat-dev/terraform"}, {"AWS_CONFIG_FILE", "/x/config"}};
  id.unset = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"};
  EnvMap os{{"AWS_ACCESS_KEY_ID", "AKIA"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_PROFILE", "mine"}};
  EnvMap out = child_environment(os, parse_yaml("AWS_PROFILE: from-stack\n"), id, settings(), "");
  EXPECT_EQ(out.count("AWS_ACCESS_KEY_ID"), 0u);
  EXPECT_EQ(out.count("AWS_SECRET_ACCESS_KEY"), 0u);
  EXPECT_EQ(out["AWS_PROFILE"], "plat-dev/terraform");
  EXPECT_EQ(out["AWS_CONFIG_FILE"], "/x/config");
}

TEST(ChildEnvironment, PluginCacheDefaultsToXdgCacheAndRespectsUserDirectory) {
  EnvironmentSettings s = settings();
  EXPECT_EQ(plugin_cache_dir({{"HOME", "/h"}}, {}, s), "/h/.cache/atmos/terraform/plugins");
  EXPECT_EQ(plugin_cache_dir({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}}, {}, s), "/x/atmos/terraform/plugins");
  EXPECT_EQ(plugin_cache_dir({{"ATMOS_XDG_CACHE_HOME", "/a"}, {"XDG_CACHE_HOME", "/x"}}, {}, s), "/a/atmos/terraform/plugins");
  EXPECT_EQ(plugin_cache_dir({{"TF_PLUGIN_CACHE_DIR", "/mine"}}, {}, s), "");
  EXPECT_EQ(plugin_cache_dir({{"TF_PLUGIN_CACHE_DIR", "/"}, {"HOME", "/h"}}, {}, s), "/h/.cache/atmos/terraform/plugins");
  EXPECT_EQ(plugin_cache_dir({{"HOME", "/h"}}, {{"TF_PLUGIN_CACHE_DIR", "/stack"}}, s), "");
  s.plugin_cache_dir = "/custom";
  EXPECT_EQ(plugin_cache_dir({}, {}, s), "/custom");
  s.plugin_cache = false;
  EXPECT_EQ(plugin_cache_dir({}, {}, s), "");
}

TEST(ChildEnvironment, PluginCacheVariablesAreSetOnlyWithADirectory) {
  EnvMap out = child_environment({}, Value(), {}, settings(), "/c");
  EXPECT_EQ(out["TF_PLUGIN_CACHE_DIR"], "/c");
  EXPECT_EQ(out["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"], "true");
  EXPECT_EQ(child_environment({}, Value(), {}, settings(), "").count("TF_PLUGIN_CACHE_DIR"), 0u);
}

TEST(ChildEnvironment, EntriesAreKeyEqualsValue) {
  EXPECT_EQ(env_entries({{"A", "1"}, {"B", "x=y"}}), (std::vector<std::string>{"A=1", "B=x=y"}));
}
