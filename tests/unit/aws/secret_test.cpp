#include "core/secret.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

namespace atmos {
namespace {

static_assert(!fmt::is_formattable<Secret>::value, "a Secret must not be formattable");

TEST(Secret, RedactedShowsAtMostAnAccessKeyPrefix) {
  EXPECT_EQ(Secret(std::string("ASIAEXAMPLEEXAMPLE1234")).redacted(), "ASIA…");
  EXPECT_EQ(Secret(std::string("short")).redacted(), "…");
  EXPECT_EQ(Secret().redacted(), "");
}

TEST(Secret, GoogleTestPrintsTheRedactedForm) {
  std::ostringstream out;
  PrintTo(Secret(std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")), &out);
  EXPECT_EQ(out.str(), "Secret(wJal…)");
}

TEST(Secret, MovingLeavesTheSourceEmpty) {
  Secret a(std::string("token-value-that-is-long-enough-for-the-heap"));
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the wipe is the point
  EXPECT_EQ(b.reveal(), "token-value-that-is-long-enough-for-the-heap");
  Secret c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.reveal(), "token-value-that-is-long-enough-for-the-heap");
}

TEST(Secret, ConstructionWipesTheGivenString) {
  std::string value = "short-secret";
  Secret secret(std::move(value));
  EXPECT_TRUE(value.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(secret.reveal(), "short-secret");
}

TEST(Secret, WipeZeroesTheWholeBuffer) {
  std::string s = "sensitive";
  const char* data = s.data();
  std::size_t size = s.size();
  wipe(s);
  EXPECT_TRUE(s.empty());
  for (std::size_t i = 0; i < size; ++i) EXPECT_EQ(data[i], '\0') << i;
}

TEST(Secret, ComparesByValue) {
  EXPECT_TRUE(Secret(std::string("abc")) == Secret(std::string("abc")));
  EXPECT_FALSE(Secret(std::string("abc")) == Secret(std::string("abd")));
  EXPECT_FALSE(Secret(std::string("abc")) == Secret(std::string("abcd")));
}

}  // namespace
}  // namespace atmos
