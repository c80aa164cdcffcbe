// When atmos colors its own output (core/color.hpp): upstream's precedence, and plain text whenever it is off.
#include "core/color.hpp"

#include <gtest/gtest.h>

#include "core/environment.hpp"

namespace atmos::color {
namespace {

Settings env(std::map<std::string, std::string, std::less<>> vars) { return from_environment(MapEnvironment(std::move(vars))); }

TEST(Color, TerminalsAreColoredAndPipesAreNot) {
  EXPECT_TRUE(decide(env({}), true));
  EXPECT_FALSE(decide(env({}), false));
  EXPECT_TRUE(decide(env({{"TERM", "xterm-256color"}}), true));
}

TEST(Color, NoColorWinsOverEverything) {
  EXPECT_FALSE(decide(env({{"NO_COLOR", "1"}}), true));
  EXPECT_FALSE(decide(env({{"NO_COLOR", "1"}, {"ATMOS_FORCE_COLOR", "true"}, {"CLICOLOR_FORCE", "1"}}), true));
  Settings flag = env({{"NO_COLOR", "yes"}});
  flag.force = true;  // --force-color
  EXPECT_FALSE(decide(flag, false));
  EXPECT_TRUE(decide(env({{"NO_COLOR", ""}}), true)) << "an empty NO_COLOR is unset";
}

TEST(Color, NoColorFlagAndAtmosNoColorTurnItOff) {
  Settings flag = env({});
  flag.no_color = true;
  EXPECT_FALSE(decide(flag, true));
  EXPECT_FALSE(decide(env({{"ATMOS_NO_COLOR", "true"}}), true));
  EXPECT_TRUE(decide(env({{"ATMOS_NO_COLOR", "false"}}), true));
}

TEST(Color, DumbTerminalsAndClicolorZeroAreNotColoredUnlessForced) {
  EXPECT_FALSE(decide(env({{"TERM", "dumb"}}), true));
  EXPECT_FALSE(decide(env({{"CLICOLOR", "0"}}), true));
  EXPECT_TRUE(decide(env({{"TERM", "dumb"}, {"FORCE_COLOR", "1"}}), true));
}

TEST(Color, ForcedColorReachesPipes) {
  EXPECT_TRUE(decide(env({{"ATMOS_FORCE_COLOR", "1"}}), false));
  EXPECT_TRUE(decide(env({{"CLICOLOR_FORCE", "1"}}), false));
  EXPECT_TRUE(decide(env({{"FORCE_COLOR", "3"}}), false));
  EXPECT_FALSE(decide(env({{"ATMOS_FORCE_COLOR", "false"}}), false));
}

TEST(Color, PaintIsPlainTextWhenOff) {
  Settings saved = current();
  configure(env({{"NO_COLOR", "1"}}));
  EXPECT_EQ(paint(1, Style::Bold, "Usage:"), "Usage:");
  Settings forced;
  forced.force = true;
  configure(forced);
  EXPECT_EQ(paint(1, Style::Bold, "Usage:"), "\033[1mUsage:\033[0m");
  configure(saved);
}

}  // namespace
}  // namespace atmos::color
