#include "aws/url.hpp"

#include <gtest/gtest.h>

#include "aws/curl_transport.hpp"
#include "aws/timestamp.hpp"

namespace atmos::aws {
namespace {

TEST(Url, SplitsLikePythonUrlsplit) {
  UrlParts p = split_url("HTTPS://user@STS.Example.COM:8443/a/b%20c?x=1&y#frag");
  EXPECT_EQ(p.scheme, "https");
  EXPECT_EQ(p.host, "sts.example.com");
  EXPECT_EQ(p.port, "8443");
  EXPECT_EQ(p.path, "/a/b%20c");
  EXPECT_EQ(p.query, "x=1&y");
  EXPECT_EQ(host_header(p), "sts.example.com:8443");
}

TEST(Url, HostHeaderDropsDefaultPortsAndKeepsIpv6Brackets) {
  EXPECT_EQ(host_header(split_url("https://sts.amazonaws.com:443/")), "sts.amazonaws.com");
  EXPECT_EQ(host_header(split_url("http://localhost:80")), "localhost");
  EXPECT_EQ(host_header(split_url("http://localhost:443")), "localhost:443");
  EXPECT_EQ(host_header(split_url("https://[::1]:8443/x")), "[::1]:8443");
}

TEST(Url, UriEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("a b/c~d_e-f.g+h=i&ü"), "a%20b%2Fc~d_e-f.g%2Bh%3Di%26%C3%BC");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
}

TEST(Url, EncodeQueryKeepsOrder) {
  EXPECT_EQ(encode_query({{"Version", "2011-06-15"}, {"Action", "AssumeRole"}, {"RoleArn", "arn:aws:iam::1:role/x"}}),
            "Version=2011-06-15&Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx");
}

TEST(Timestamp, ParsesAwsForms) {
  auto base = std::chrono::system_clock::from_time_t(1717502400);  // 2024-06-04T12:00:00Z
  EXPECT_EQ(parse_iso8601("2024-06-04T12:00:00Z"), base);
  EXPECT_EQ(parse_iso8601("2024-06-04T12:00:00.123Z"), base);
  EXPECT_EQ(parse_iso8601("2024-06-04T14:00:00+02:00"), base);
  EXPECT_FALSE(parse_iso8601("2024-06-04 12:00"));
  EXPECT_FALSE(parse_iso8601("tomorrow"));
  EXPECT_EQ(format_iso8601(base), "2024-06-04T12:00:00Z");
}

// Found by scripts/fuzz sso_cache and sts_xml: years outside 1678–2261 overflowed the nanosecond clock.
TEST(Timestamp, YearsTheClockCannotHoldAreNotTimestamps) {
  EXPECT_FALSE(parse_iso8601("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_iso8601("1677-01-01T00:00:00Z"));
  EXPECT_EQ(parse_iso8601("1700-01-01T00:00:00Z"), std::chrono::system_clock::from_time_t(-8520336000));
  EXPECT_EQ(parse_iso8601("2261-12-31T23:59:59Z"), std::chrono::system_clock::from_time_t(9214646399));
}

TEST(CurlTransport, ProxySettingsComeFromTheEnvironment) {
  MapEnvironment env({{"HTTPS_PROXY", "http://127.0.0.1:9"}, {"http_proxy", "http://proxy:3128"},
                      {"no_proxy", "127.0.0.1,localhost"}, {"AWS_CA_BUNDLE", "/etc/ca.pem"}});
  ProxySettings settings = proxy_settings(env);
  EXPECT_EQ(settings.https_proxy, "http://127.0.0.1:9");
  EXPECT_EQ(settings.http_proxy, "http://proxy:3128");
  EXPECT_EQ(settings.no_proxy, "127.0.0.1,localhost");
  EXPECT_EQ(settings.ca_bundle, "/etc/ca.pem");
}

}  // namespace
}  // namespace atmos::aws
