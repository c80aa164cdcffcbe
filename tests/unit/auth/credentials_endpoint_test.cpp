#include "auth/credentials_endpoint.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "aws/timestamp.hpp"
#include "core/error.hpp"

using namespace atmos;
using namespace atmos::auth;
using namespace std::chrono_literals;

namespace {

// A clock the test moves while the endpoint's thread reads it.
class MovableClock final : public aws::Clock {
 public:
  aws::TimePoint now() override { return aws::TimePoint(std::chrono::seconds(seconds_.load())); }
  void sleep_for(std::chrono::milliseconds) override {}
  void advance(std::chrono::seconds by) { seconds_ += by.count(); }

 private:
  std::atomic<long long> seconds_{1800000000};
};

aws::Credentials keys(const std::string& id, aws::TimePoint expiration) {
  aws::Credentials c;
  c.access_key_id = id;
  c.secret_access_key = Secret(std::string("secret/" + id));
  c.session_token = Secret(std::string("token+" + id));
  c.expiration = expiration;
  return c;
}

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` and returns everything the endpoint answers before closing.
std::string exchange(std::uint16_t port, const std::string& request) {
  int fd = connect_to(port);
  if (fd < 0) return "";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return answer;
}

std::string get(const CredentialsEndpoint& e, const std::string& path, const std::string& authorization) {
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
  return exchange(e.port(), request + "\r\n");
}

std::string path_of(const CredentialsEndpoint& e) { return e.url().substr(e.url().find('/', 7)); }

int status_of(const std::string& answer) { return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0; }

std::string body_of(const std::string& answer) { return answer.substr(answer.find("\r\n\r\n") + 4); }

}  // namespace

TEST(CredentialsEndpoint, ServesTheCredentialsOnlyWithTheTokenOnItsPath) {
  MovableClock clock;
  int mints = 0;
  CredentialsEndpoint e(keys("ASIAFIRST", clock.now() + 1h), [&] { return ++mints, keys("ASIANEXT", clock.now() + 1h); }, clock, "dev");
  ASSERT_EQ(e.url().rfind("http://127.0.0.1:" + std::to_string(e.port()) + "/", 0), 0u);
  EXPECT_EQ(path_of(e).size(), 33u);
  EXPECT_EQ(e.token().size(), 64u);
  std::string ok = get(e, path_of(e), e.token().reveal());
  EXPECT_EQ(status_of(ok), 200);
  EXPECT_NE(ok.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_EQ(body_of(ok), "{\"AccessKeyId\":\"ASIAFIRST\",\"SecretAccessKey\":\"secret/ASIAFIRST\",\"Token\":\"token+ASIAFIRST\",\"Expiration\":\"" +
                             aws::format_iso8601(clock.now() + 1h) + "\"}");
  EXPECT_EQ(mints, 0);

  std::string refused = get(e, path_of(e), "");
  EXPECT_EQ(status_of(refused), 401);
  EXPECT_EQ(body_of(refused), "{\"code\":\"Unauthorized\",\"message\":\"missing or wrong authorization token\"}");
  EXPECT_EQ(status_of(get(e, path_of(e), e.token().reveal() + "0")), 401);
  EXPECT_EQ(status_of(get(e, path_of(e), e.token().reveal().substr(1))), 401);
  EXPECT_EQ(status_of(get(e, "/elsewhere", "wrong")), 401);  // a stranger learns nothing about paths
  std::string twice = "GET " + path_of(e) + " HTTP/1.1\r\nAuthorization: " + e.token().reveal() + "\r\nAuthorization: x\r\n\r\n";
  EXPECT_EQ(status_of(exchange(e.port(), twice)), 401);
  EXPECT_EQ(status_of(get(e, path_of(e) + "x", e.token().reveal())), 404);
  EXPECT_EQ(status_of(get(e, "/", e.token().reveal())), 404);
  EXPECT_EQ(status_of(exchange(e.port(), "POST " + path_of(e) + " HTTP/1.1\r\nauthorization:  " + e.token().reveal() + " \r\n\r\n")), 404);
  EXPECT_EQ(status_of(exchange(e.port(), "hello\r\n\r\n")), 400);
  EXPECT_EQ(status_of(exchange(e.port(), "GET / HTTP/1.1\r\nX: " + std::string(kEndpointMaxRequestBytes + 10, 'a'))), 431);
}

TEST(CredentialsEndpoint, ReMintsWithinTheRefreshMarginAndHandsOnTheLatest) {
  MovableClock clock;
  int mints = 0;
  CredentialsEndpoint e(keys("ASIAFIRST", clock.now() + 60s),
                        [&] { return keys("ASIAMINT" + std::to_string(++mints), clock.now() + 60s); }, clock, "dev");
  EXPECT_NE(body_of(get(e, path_of(e), e.token().reveal())).find("ASIAFIRST"), std::string::npos);
  clock.advance(29s);
  EXPECT_NE(body_of(get(e, path_of(e), e.token().reveal())).find("ASIAFIRST"), std::string::npos);
  clock.advance(2s);  // 29 s left: within half of the 60 s they had
  EXPECT_NE(body_of(get(e, path_of(e), e.token().reveal())).find("ASIAMINT1"), std::string::npos);
  EXPECT_NE(body_of(get(e, path_of(e), e.token().reveal())).find("ASIAMINT1"), std::string::npos);
  EXPECT_EQ(mints, 1);
  EXPECT_EQ(e.latest().access_key_id, "ASIAMINT1");
}

TEST(CredentialsEndpoint, AFailedReMintServesWhatIsStillValidThenFailsTheRequest) {
  MovableClock clock;
  CredentialsEndpoint e(
      keys("ASIAFIRST", clock.now() + 60s),
      [&]() -> aws::Credentials { throw Error(ErrorKind::Auth, "SSO session expired").hint("Run `atmos auth login --identity dev`"); },
      clock, "dev");
  clock.advance(40s);
  testing::internal::CaptureStderr();
  std::string still = get(e, path_of(e), e.token().reveal());
  clock.advance(30s);
  std::string failed = get(e, path_of(e), e.token().reveal());
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(status_of(still), 200);
  EXPECT_NE(body_of(still).find("ASIAFIRST"), std::string::npos);
  EXPECT_EQ(status_of(failed), 503);
  EXPECT_EQ(body_of(failed),
            "{\"code\":\"CredentialsUnavailable\",\"message\":\"atmos could not renew the credentials of identity dev (see atmos's "
            "output): SSO session expired\"}");
  EXPECT_EQ(err, "atmos: the credentials endpoint cannot renew the credentials of identity dev: SSO session expired\n"
                 "  Run `atmos auth login --identity dev`\n");
}

TEST(CredentialsEndpoint, PortClosesWithTheEndpointEvenWithAClientThatSaysNothing) {
  MovableClock clock;
  std::uint16_t port;
  int silent;
  auto started = std::chrono::steady_clock::now();
  {
    CredentialsEndpoint e(keys("ASIAFIRST", clock.now() + 1h), [&] { return keys("X", clock.now()); }, clock, "dev");
    port = e.port();
    silent = connect_to(port);
    ASSERT_GE(silent, 0);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  ::close(silent);
  EXPECT_EQ(connect_to(port), -1);
}

TEST(CredentialsEndpoint, StartingAndStoppingCostsUnderAMillisecond) {
  MovableClock clock;
  constexpr int kRounds = 200;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    CredentialsEndpoint e(keys("ASIAFIRST", clock.now() + 1h), [&] { return keys("X", clock.now()); }, clock, "dev");
  }
  auto each = (std::chrono::steady_clock::now() - started) / kRounds;
  EXPECT_LT(each, 1ms) << std::chrono::duration_cast<std::chrono::microseconds>(each).count() << " µs per start and stop";
}

TEST(CredentialsEndpoint, RefreshMarginIsHalfTheRemainingLifeUpToFifteenMinutes) {
  aws::TimePoint now = aws::TimePoint(std::chrono::seconds(1800000000));
  EXPECT_EQ(refresh_margin(keys("A", now + 60s), now), 30s);
  EXPECT_EQ(refresh_margin(keys("A", now + 1h), now), 15min);
  EXPECT_EQ(refresh_margin(keys("A", now - 1s), now), 0s);
  aws::Credentials forever = keys("A", now);
  forever.expiration.reset();
  EXPECT_EQ(refresh_margin(forever, now), 0s);
}

TEST(CredentialsEndpoint, CredentialProcessJsonIsVersionOne) {
  aws::TimePoint now = aws::TimePoint(std::chrono::seconds(1800000000));
  EXPECT_EQ(credential_process_json(keys("ASIAX", now)),
            "{\"Version\":1,\"AccessKeyId\":\"ASIAX\",\"SecretAccessKey\":\"secret/ASIAX\",\"SessionToken\":\"token+ASIAX\",\"Expiration\":\"" +
                aws::format_iso8601(now) + "\"}");
  aws::Credentials user;
  user.access_key_id = "AKIA\"Q";
  user.secret_access_key = Secret(std::string("s\\e"));
  EXPECT_EQ(credential_process_json(user), "{\"Version\":1,\"AccessKeyId\":\"AKIA\\\"Q\",\"SecretAccessKey\":\"s\\\\e\"}");
}

TEST(CredentialsEndpoint, KeysWithoutExpiryAreLeasedForAnHour) {
  // The AWS CLI v1 and botocore fail on an answer without `Expiration`.
  aws::TimePoint now = aws::TimePoint(std::chrono::seconds(1800000000));
  aws::Credentials user;
  user.access_key_id = "AKIAQ";
  user.secret_access_key = Secret(std::string("s"));
  EXPECT_EQ(container_credentials_json(user, now),
            "{\"AccessKeyId\":\"AKIAQ\",\"SecretAccessKey\":\"s\",\"Token\":\"\",\"Expiration\":\"" +
                aws::format_iso8601(now + std::chrono::hours(1)) + "\"}");
  EXPECT_EQ(container_credentials_json(keys("ASIAX", now + 5min), now),
            "{\"AccessKeyId\":\"ASIAX\",\"SecretAccessKey\":\"secret/ASIAX\",\"Token\":\"token+ASIAX\",\"Expiration\":\"" +
                aws::format_iso8601(now + 5min) + "\"}");
}
