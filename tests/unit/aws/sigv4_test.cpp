// SigV4 against botocore: data/sigv4_botocore.jsonl holds requests generated and signed by botocore's
// SigV4Auth (tests/oracle/sigv4/gen_corpus.py, see its header for the format); every one must sign to the same
// Authorization header, byte for byte.
#include "aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <string>

#include "aws/crypto.hpp"
#include "core/json_parse.hpp"
#include "core/value.hpp"

namespace atmos::aws {
namespace {

TimePoint parse_amz_date(const std::string& text) {
  std::tm tm{};
  tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(text.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(text.substr(6, 2));
  tm.tm_hour = std::stoi(text.substr(9, 2));
  tm.tm_min = std::stoi(text.substr(11, 2));
  tm.tm_sec = std::stoi(text.substr(13, 2));
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string pattern_body(std::int64_t size, std::int64_t seed) {
  std::string body(static_cast<std::size_t>(size), '\0');
  for (std::int64_t i = 0; i < size; ++i) body[static_cast<std::size_t>(i)] = static_cast<char>((seed + 131 * i) % 251);
  return body;
}

TEST(SigV4Botocore, EveryCorpusRequestSignsIdentically) {
  std::ifstream in(std::string(ATMOS_TEST_DATA) + "/sigv4_botocore.jsonl");
  ASSERT_TRUE(in) << "missing corpus; run tests/oracle/sigv4/regenerate.sh";
  std::string line;
  int cases = 0;
  int mismatches = 0;
  while (std::getline(in, line)) {
    Value c = parse_json(line);
    HttpRequest request;
    request.method = c.get("method").as_string();
    request.url = c.get("url").as_string();
    for (const Value& header : c.get("headers").as_list()) {
      request.headers.add(header.as_list()[0].as_string(), header.as_list()[1].as_string());
    }
    if (c.has("body_pattern")) {
      request.body = pattern_body(c.at({"body_pattern", "size"}).as_int(), c.at({"body_pattern", "seed"}).as_int());
    } else {
      request.body = c.get("body").as_string();
    }
    Credentials credentials;
    credentials.access_key_id = c.get("access_key").as_string();
    credentials.secret_access_key = Secret(c.get("secret_key").as_string());
    if (c.get("token").is_string()) credentials.session_token = Secret(c.get("token").as_string());

    SigV4Signer signer(c.get("service").as_string(), c.get("region").as_string());
    signer.sign(request, credentials, parse_amz_date(c.get("timestamp").as_string()));
    ++cases;
    std::string authorization(request.headers.get("Authorization").value_or(""));
    bool same = authorization == c.get("authorization").as_string() &&
                request.headers.get("X-Amz-Date").value_or("") == c.get("x_amz_date").as_string() &&
                (c.get("security_token").is_null() ? !request.headers.has("X-Amz-Security-Token")
                                                   : request.headers.get("X-Amz-Security-Token").value_or("") ==
                                                         c.get("security_token").as_string());
    if (!same && ++mismatches <= 5) {
      HttpRequest dated = request;
      dated.headers.remove("Authorization");
      ADD_FAILURE() << "case " << cases << " " << request.method << " " << request.url << "\nbotocore: "
                    << c.get("authorization").as_string() << "\nours:     " << authorization
                    << "\nbotocore canonical request:\n" << c.get("canonical_request").as_string()
                    << "\nours:\n" << canonical_request(dated);
    }
  }
  EXPECT_GE(cases, 1000);
  EXPECT_EQ(mismatches, 0);
}

Credentials example_credentials(std::string token = "") {
  Credentials credentials;
  credentials.access_key_id = "AKIDEXAMPLE";
  credentials.secret_access_key = Secret(std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
  credentials.session_token = Secret(std::move(token));
  return credentials;
}

HttpRequest example_get_vanilla() {
  HttpRequest request;
  request.method = "GET";
  request.url = "https://example.amazonaws.com/";
  return request;
}

// The AWS SigV4 test suite's get-vanilla case (service "service", region us-east-1, 20150830T123600Z).
TEST(SigV4, MatchesTheAwsTestSuiteGetVanilla) {
  HttpRequest request = example_get_vanilla();
  SigV4Signer signer("service", "us-east-1");
  signer.sign(request, example_credentials(), parse_amz_date("20150830T123600Z"));
  EXPECT_EQ(request.headers.get("Authorization").value_or(""),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(request.headers.get("Host").value_or(""), "example.amazonaws.com");
}

TEST(SigV4, ResigningReplacesDateTokenAndAuthorization) {
  HttpRequest request = example_get_vanilla();
  SigV4Signer signer("service", "us-east-1");
  signer.sign(request, example_credentials("token-1"), parse_amz_date("20150830T123600Z"));
  signer.sign(request, example_credentials("token-2"), parse_amz_date("20150831T000000Z"));
  int dates = 0, tokens = 0, authorizations = 0;
  for (const auto& header : request.headers) {
    dates += header.name == "X-Amz-Date";
    tokens += header.name == "X-Amz-Security-Token";
    authorizations += header.name == "Authorization";
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(tokens, 1);
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(request.headers.get("X-Amz-Date").value_or(""), "20150831T000000Z");
  EXPECT_EQ(request.headers.get("X-Amz-Security-Token").value_or(""), "token-2");
  EXPECT_NE(request.headers.get("Authorization").value_or("").find("/20150831/"), std::string_view::npos);
}

TEST(SigV4, CachedSigningKeyFollowsTheSecretAndTheDay) {
  SigV4Signer cached("service", "us-east-1");
  auto sign_with = [](SigV4Signer& signer, const Credentials& credentials, const char* when) {
    HttpRequest request = example_get_vanilla();
    signer.sign(request, credentials, parse_amz_date(when));
    return std::string(request.headers.get("Authorization").value_or(""));
  };
  auto fresh = [&](const Credentials& credentials, const char* when) {
    SigV4Signer signer("service", "us-east-1");
    return sign_with(signer, credentials, when);
  };
  Credentials other = example_credentials();
  other.secret_access_key = Secret(std::string("another-secret"));
  for (const char* when : {"20150830T123600Z", "20150830T235959Z", "20150831T000000Z"}) {
    EXPECT_EQ(sign_with(cached, example_credentials(), when), fresh(example_credentials(), when)) << when;
    EXPECT_EQ(sign_with(cached, other, when), fresh(other, when)) << when;
  }
}

TEST(SigV4, AmzDateIsUtcSeconds) {
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(0) + std::chrono::milliseconds(999)), "19700101T000000Z");
  EXPECT_EQ(amz_date(parse_amz_date("20240229T235959Z")), "20240229T235959Z");
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2 and test case 6 (a key longer than the block size).
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace atmos::aws
