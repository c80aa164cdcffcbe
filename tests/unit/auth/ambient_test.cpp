// aws/ambient's container endpoint and instance metadata sources (the lab covers env vars and web identity).
#include <gtest/gtest.h>

#include "../aws/fakes.hpp"
#include "auth/identities/ambient.hpp"
#include "auth/store/keyring.hpp"
#include "core/error.hpp"
#include "core/yaml_load.hpp"

using namespace atmos;
using namespace atmos::auth;
using aws::testing::answer;

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

struct AmbientWorld {
  MapEnvironment env;
  aws::testing::FakeTransport transport;
  aws::testing::FakeClock clock;
  SilentTerminal terminal;
  NoBrowser browser;
  MemoryKeyring keyring;
  World world{env, transport, clock, terminal, browser, keyring};
  StepContext context{world, "realm"};

  Credentials run() {
    AuthConfig config = AuthConfig::from(parse_yaml("identities: {ambient: {kind: aws/ambient}}"), {});
    AmbientIdentity identity(*config.find_identity("ambient"), context);
    return identity.authenticate_standalone({});
  }
};

const char* kCredentialsJson =
    R"({"AccessKeyId":"ASIAAMBIENT000000001","SecretAccessKey":"s3cret","Token":"tok","Expiration":"2024-06-04T13:00:00Z"})";

std::string header(const aws::HttpRequest& r, const std::string& name) { return std::string(r.headers.get(name).value_or("")); }

TEST(AmbientIdentity, EnvironmentVariablesComeFirst) {
  AmbientWorld w;
  w.env.set("AWS_ACCESS_KEY_ID", "AKIAENV");
  w.env.set("AWS_SECRET_ACCESS_KEY", "secret");
  w.env.set("AWS_REGION", "eu-west-1");
  w.env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds");
  Credentials c = w.run();
  EXPECT_EQ(c.aws.access_key_id, "AKIAENV");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_FALSE(c.expiration);
  EXPECT_TRUE(w.transport.sent.empty());
}

TEST(AmbientIdentity, ContainerEndpointWithTokenFromEnvironment) {
  AmbientWorld w;
  w.env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
  w.env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "auth-token");
  w.transport.push(answer(200, kCredentialsJson));
  Credentials c = w.run();
  ASSERT_EQ(w.transport.sent.size(), 1u);
  EXPECT_EQ(w.transport.sent[0].url, "http://169.254.170.2/v2/credentials/abc");
  EXPECT_EQ(header(w.transport.sent[0], "Authorization"), "auth-token");
  EXPECT_EQ(c.aws.access_key_id, "ASIAAMBIENT000000001");
  EXPECT_EQ(c.aws.session_token.reveal(), "tok");
  ASSERT_TRUE(c.expiration);
}

TEST(AmbientIdentity, ContainerEndpointErrorsAreReported) {
  AmbientWorld w;
  w.env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");
  w.transport.push(answer(403, "{}"));
  try {
    w.run();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.explanation().find("answered HTTP 403"), std::string::npos) << e.explanation();
  }
  AmbientWorld bad;
  bad.env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");
  bad.transport.push(answer(200, "not json"));
  EXPECT_THROW(bad.run(), Error);
}

TEST(AmbientIdentity, InstanceMetadataV2) {
  AmbientWorld w;
  w.env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8111/");
  w.transport.push(answer(200, "imds-token"));
  w.transport.push(answer(200, "my-role\n"));
  w.transport.push(answer(200, kCredentialsJson));
  Credentials c = w.run();
  ASSERT_EQ(w.transport.sent.size(), 3u);
  EXPECT_EQ(w.transport.sent[0].method, "PUT");
  EXPECT_EQ(w.transport.sent[0].url, "http://127.0.0.1:8111/latest/api/token");
  EXPECT_EQ(w.transport.sent[2].url, "http://127.0.0.1:8111/latest/meta-data/iam/security-credentials/my-role");
  EXPECT_EQ(header(w.transport.sent[2], "X-aws-ec2-metadata-token"), "imds-token");
  EXPECT_EQ(c.aws.access_key_id, "ASIAAMBIENT000000001");
}

TEST(AmbientIdentity, NothingFoundNamesEverySource) {
  AmbientWorld w;
  w.transport.push(aws::TransportError(aws::TransportFailure::Connect, "no route"));
  try {
    w.run();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.explanation().find("found no credentials in the environment"), std::string::npos);
    EXPECT_NE(e.explanation().find("instance metadata did not answer"), std::string::npos);
  }
  AmbientWorld off;
  off.env.set("AWS_EC2_METADATA_DISABLED", "true");
  try {
    off.run();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.explanation().find("instance metadata is disabled"), std::string::npos);
    EXPECT_TRUE(off.transport.sent.empty());
  }
}

TEST(AmbientIdentity, ViaIsRefusedByValidation) {
  AuthConfig config = AuthConfig::from(
      parse_yaml("providers: {p: {kind: aws/iam-identity-center, region: us-east-1, start_url: https://x}}\n"
                 "identities: {ambient: {kind: aws/ambient, via: {provider: p}}}"),
      {});
  bool found = false;
  for (const auto& problem : config.validate())
    found |= problem.find("must not define `via`") != std::string::npos;
  EXPECT_TRUE(found);
}

}  // namespace
