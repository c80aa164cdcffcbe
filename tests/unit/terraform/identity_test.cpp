#include "terraform/identity.hpp"

#include <gtest/gtest.h>

using atmos::MapEnvironment;
using namespace atmos::terraform;
using Mode = IdentitySelection::Mode;

TEST(IdentitySelection, NothingGivenMeansDefaultResolution) {
  MapEnvironment env;
  EXPECT_EQ(select_identity(std::nullopt, env).mode, Mode::Default);
}

TEST(IdentitySelection, EnvironmentNamesOrDisables) {
  MapEnvironment env;
  env.set("ATMOS_IDENTITY", "plat-dev/terraform");
  auto s = select_identity(std::nullopt, env);
  EXPECT_EQ(s.mode, Mode::Named);
  EXPECT_EQ(s.name, "plat-dev/terraform");
  EXPECT_EQ(s.source, "env");
  for (const char* off : {"false", "0", "no", "OFF", "False"}) {
    MapEnvironment disabled;
    disabled.set("ATMOS_IDENTITY", off);
    EXPECT_EQ(select_identity(std::nullopt, disabled).mode, Mode::Disabled) << off;
  }
}

TEST(IdentitySelection, FlagBeatsEnvironmentIncludingFalse) {
  MapEnvironment env;
  env.set("ATMOS_IDENTITY", "from-env");
  auto named = select_identity(std::string("other"), env);
  EXPECT_EQ(named.mode, Mode::Named);
  EXPECT_EQ(named.name, "other");
  EXPECT_EQ(named.source, "flag");
  EXPECT_EQ(select_identity(std::string("false"), env).mode, Mode::Disabled);
  EXPECT_EQ(select_identity(std::string(""), env).mode, Mode::Select);
}

TEST(IdentitySelection, DefaultResolverChangesNothing) {
  auto env = no_authentication(atmos::Value(), IdentitySelection{});
  EXPECT_TRUE(env.set.empty());
  EXPECT_TRUE(env.unset.empty());
}
