#include <gtest/gtest.h>

#include "../aws/fakes.hpp"
#include "auth/console.hpp"
#include "auth/store/keyring.hpp"
#include "core/error.hpp"

using namespace atmos;
using namespace atmos::auth;

namespace {

class SilentTerminal final : public Terminal {
 public:
  bool stderr_is_terminal() const override { return false; }
  bool stdin_is_terminal() const override { return false; }
  void message(const std::string&) override {}
  std::optional<std::string> prompt(const std::string&, bool) override { return std::nullopt; }
};

class NoBrowser final : public BrowserLauncher {
 public:
  bool available() const override { return false; }
  bool open(const std::string&) override { return false; }
};

struct ConsoleWorld {
  MapEnvironment env{{{"AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:4567"}}};
  aws::testing::FakeTransport transport;
  aws::testing::FakeClock clock;
  SilentTerminal terminal;
  NoBrowser browser;
  MemoryKeyring keyring;
  World world{env, transport, clock, terminal, browser, keyring};
};

aws::Credentials role_session() {
  aws::Credentials c;
  c.access_key_id = "ASIAROLESESSION00001";
  c.secret_access_key = Secret(std::string("role-secret-key"));
  c.session_token = Secret(std::string("role-session-token"));
  return c;
}

}  // namespace

TEST(ConsoleDestination, UrlsPassAliasesResolveEmptyIsTheConsoleHome) {
  EXPECT_EQ(console_destination(""), "https://console.aws.amazon.com/");
  EXPECT_EQ(console_destination("https://eu-west-1.console.aws.amazon.com/ec2/home"), "https://eu-west-1.console.aws.amazon.com/ec2/home");
  EXPECT_EQ(console_destination("s3"), "https://console.aws.amazon.com/s3");
  EXPECT_EQ(console_destination("CloudFormation"), "https://console.aws.amazon.com/cloudformation");
  EXPECT_EQ(console_destination("ssm"), "https://console.aws.amazon.com/systems-manager");
}

TEST(ConsoleDestination, UnknownAliasNamesTheClosest) {
  try {
    console_destination("cloudfromation");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "unknown console destination: cloudfromation");
    ASSERT_FALSE(e.hints().empty());
    EXPECT_NE(e.hints().front().find("cloudformation"), std::string::npos);
  }
}

TEST(ConsoleDuration, ClampedBetweenFifteenMinutesAndTwelveHours) {
  EXPECT_EQ(clamp_console_duration(std::chrono::seconds(60)).count(), 900);
  EXPECT_EQ(clamp_console_duration(std::chrono::seconds(3600)).count(), 3600);
  EXPECT_EQ(clamp_console_duration(std::chrono::seconds(48 * 3600)).count(), 12 * 3600);
}

TEST(ConsoleSigninUrl, ExchangesTheRoleSessionAtTheSigninEndpointThenBuildsTheLoginUrl) {
  ConsoleWorld w;
  w.transport.push(aws::testing::answer(200, R"({"SigninToken":"signin-token-0123456789"})"));
  Secret url = console_signin_url(w.world, role_session(), "us-east-1", "atmos", "https://console.aws.amazon.com/s3");
  ASSERT_EQ(w.transport.sent.size(), 1u);
  const std::string& sent = w.transport.sent.front().url;
  EXPECT_EQ(sent.rfind("http://127.0.0.1:4567/federation?Action=getSigninToken&", 0), 0u) << sent;
  EXPECT_NE(sent.find("Session=%7B%22sessionId%22%3A%22ASIAROLESESSION00001%22"), std::string::npos);
  EXPECT_EQ(sent.find("SessionDuration"), std::string::npos);
  EXPECT_TRUE(url == Secret(std::string("http://127.0.0.1:4567/federation?Action=login&Issuer=atmos&Destination=https%3A%2F%2Fconsole.aws."
                                        "amazon.com%2Fs3&SigninToken=signin-token-0123456789")));
}

TEST(ConsoleSigninUrl, RefusedSessionIsAnAuthErrorWithoutTheSecret) {
  ConsoleWorld w;
  w.transport.push(aws::testing::answer(400, R"({"message":"The session credentials are invalid"})"));
  try {
    console_signin_url(w.world, role_session(), "us-east-1", "atmos", "https://console.aws.amazon.com/");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "failed to generate console URL");
    EXPECT_EQ(e.explanation().find("role-secret-key"), std::string::npos);
    EXPECT_EQ(e.explanation().find("role-session-token"), std::string::npos);
  }
}

TEST(ConsoleSigninUrl, LongLivedKeysAreRefusedBeforeAnyCall) {
  ConsoleWorld w;
  aws::Credentials keys = role_session();
  keys.session_token = Secret();
  EXPECT_THROW(console_signin_url(w.world, keys, "us-east-1", "atmos", kConsoleHome), Error);
  EXPECT_TRUE(w.transport.sent.empty());
}
