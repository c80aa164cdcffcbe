// StsClient against canned answers: the exact query-protocol requests, the parsed results, and the retry
// policy (attempts, backoff, re-signing) with the fake clock.
#include "aws/sts.hpp"

#include <gtest/gtest.h>

#include "fakes.hpp"

namespace atmos::aws {
namespace {

using testing::answer;
using testing::FakeClock;
using testing::FakeTransport;

const char* kNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

std::string throttling_body() {
  return std::string("<ErrorResponse xmlns=\"") + kNamespace +
         "\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
         "<RequestId>req-throttle</RequestId></ErrorResponse>";
}

std::string caller_identity_body() {
  return std::string("<GetCallerIdentityResponse xmlns=\"") + kNamespace +
         "\"><GetCallerIdentityResult><UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account>"
         "<Arn>arn:aws:iam::111111111111:user/admin</Arn></GetCallerIdentityResult>"
         "<ResponseMetadata><RequestId>req-ok</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
}

std::string credentials_xml() {
  return "<Credentials><AccessKeyId>ASIAEXAMPLEEXAMPLE12</AccessKeyId>"
         "<SecretAccessKey>secret&amp;key/with+chars</SecretAccessKey><SessionToken>FwoGZXIvYXdzEBY-token</SessionToken>"
         "<Expiration>2024-06-04T13:00:00Z</Expiration></Credentials>";
}

Credentials user_keys() {
  Credentials credentials;
  credentials.access_key_id = "AKIAEXAMPLEEXAMPLE12";
  credentials.secret_access_key = Secret(std::string("user-secret-key"));
  return credentials;
}

class StsTest : public ::testing::Test {
 protected:
  StsClient client(RetryPolicy retry = fixed_jitter()) {
    ClientOptions options;
    options.region = "us-east-2";
    options.endpoint_url = "https://sts.example.test";
    options.retry = std::move(retry);
    return StsClient({transport, clock, env}, std::move(options));
  }
  static RetryPolicy fixed_jitter() {
    RetryPolicy retry;
    retry.jitter = [] { return 0.5; };
    return retry;
  }

  FakeTransport transport;
  FakeClock clock;
  MapEnvironment env;
};

TEST_F(StsTest, GetCallerIdentitySendsASignedQueryRequest) {
  transport.push(answer(200, caller_identity_body()));
  CallerIdentity identity = client().get_caller_identity(user_keys());
  EXPECT_EQ(identity.account, "111111111111");
  EXPECT_EQ(identity.arn, "arn:aws:iam::111111111111:user/admin");
  EXPECT_EQ(identity.user_id, "AIDAEXAMPLE");
  ASSERT_EQ(transport.sent.size(), 1u);
  const HttpRequest& sent = transport.sent[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://sts.example.test/");
  EXPECT_EQ(sent.body, "Action=GetCallerIdentity&Version=2011-06-15");
  EXPECT_EQ(sent.headers.get("Content-Type").value_or(""), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(sent.headers.get("User-Agent").value_or("").substr(0, 6), "atmos/");
  EXPECT_EQ(sent.headers.get("X-Amz-Date").value_or(""), "20240604T120000Z");
  std::string authorization(sent.headers.get("Authorization").value_or(""));
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/20240604/us-east-2/sts/aws4_request, "
                                "SignedHeaders=content-type;host;x-amz-date, Signature=",
                                0),
            0u)
      << authorization;
  EXPECT_FALSE(sent.headers.has("X-Amz-Security-Token"));
}

TEST_F(StsTest, AssumeRootSendsTheTargetAndTaskPolicyAndReadsTheCredentials) {
  transport.push(answer(200, std::string("<AssumeRootResponse xmlns=\"") + kNamespace + "\"><AssumeRootResult>" + credentials_xml() +
                                 "</AssumeRootResult></AssumeRootResponse>"));
  Credentials root = client().assume_root(
      user_keys(), {"222222222222", "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy", 600});
  EXPECT_EQ(transport.sent[0].body,
            "Action=AssumeRoot&Version=2011-06-15&TargetPrincipal=222222222222"
            "&TaskPolicyArn.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FS3UnlockBucketPolicy&DurationSeconds=600");
  EXPECT_EQ(root.access_key_id, "ASIAEXAMPLEEXAMPLE12");
  EXPECT_EQ(root.expiration, std::chrono::system_clock::from_time_t(1717506000));
}

TEST_F(StsTest, AssumeRoleSendsEveryParameterAndReadsTheCredentials) {
  transport.push(answer(200, std::string("<AssumeRoleResponse xmlns=\"") + kNamespace + "\"><AssumeRoleResult>" +
                                 credentials_xml() +
                                 "<AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/r/s</Arn>"
                                 "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize>"
                                 "<SourceIdentity>alice</SourceIdentity></AssumeRoleResult></AssumeRoleResponse>"));
  Credentials base = user_keys();
  base.session_token = Secret(std::string("base-session-token"));
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::222222222222:role/r";
  request.role_session_name = "s";
  request.duration_seconds = 900;
  request.external_id = "ext id";
  request.serial_number = "arn:aws:iam::111111111111:mfa/admin";
  request.token_code = "123456";
  request.tags = {{"team", "plat"}, {"cost center", "42"}};
  request.transitive_tag_keys = {"team"};
  request.source_identity = "alice";
  AssumeRoleResult result = client().assume_role(base, request);
  EXPECT_EQ(transport.sent[0].body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fr&RoleSessionName=s"
            "&DurationSeconds=900&ExternalId=ext%20id&SerialNumber=arn%3Aaws%3Aiam%3A%3A111111111111%3Amfa%2Fadmin"
            "&TokenCode=123456&Tags.member.1.Key=team&Tags.member.1.Value=plat&Tags.member.2.Key=cost%20center"
            "&Tags.member.2.Value=42&TransitiveTagKeys.member.1=team&SourceIdentity=alice");
  EXPECT_EQ(transport.sent[0].headers.get("X-Amz-Security-Token").value_or(""), "base-session-token");
  EXPECT_EQ(result.credentials.access_key_id, "ASIAEXAMPLEEXAMPLE12");
  EXPECT_EQ(result.credentials.secret_access_key.reveal(), "secret&key/with+chars");
  EXPECT_EQ(result.credentials.session_token.reveal(), "FwoGZXIvYXdzEBY-token");
  EXPECT_EQ(result.credentials.expiration, std::chrono::system_clock::from_time_t(1717506000));
  EXPECT_EQ(result.assumed_role_user.arn, "arn:aws:sts::222222222222:assumed-role/r/s");
  EXPECT_EQ(result.assumed_role_user.assumed_role_id, "AROA:s");
  EXPECT_EQ(result.packed_policy_size, 6);
  EXPECT_EQ(result.source_identity, "alice");
}

TEST_F(StsTest, AssumeRoleWithWebIdentityIsUnsignedAndIgnoresAmbientCredentials) {
  env.set("AWS_ACCESS_KEY_ID", "AKIAAMBIENT");
  env.set("AWS_SECRET_ACCESS_KEY", "ambient-secret");
  env.set("AWS_SESSION_TOKEN", "ambient-token");
  env.set("AWS_PROFILE", "ambient");
  transport.push(answer(200, std::string("<AssumeRoleWithWebIdentityResponse xmlns=\"") + kNamespace +
                                 "\"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>repo:acme/infra:ref:refs/heads/main"
                                 "</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>" +
                                 credentials_xml() + "<Provider>token.actions.githubusercontent.com</Provider>"
                                 "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"));
  AssumeRoleWithWebIdentityRequest request;
  request.role_arn = "arn:aws:iam::222222222222:role/plat-dev-planner";
  request.role_session_name = "ci";
  request.web_identity_token = Secret(std::string("eyJhbGciOiJSUzI1NiJ9.payload.sig"));
  request.duration_seconds = 3600;
  auto result = client().assume_role_with_web_identity(request);
  const HttpRequest& sent = transport.sent[0];
  EXPECT_FALSE(sent.headers.has("Authorization"));
  EXPECT_FALSE(sent.headers.has("X-Amz-Security-Token"));
  EXPECT_EQ(sent.body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2F"
            "plat-dev-planner&RoleSessionName=ci&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig&DurationSeconds=3600");
  EXPECT_EQ(result.subject_from_web_identity_token, "repo:acme/infra:ref:refs/heads/main");
  EXPECT_EQ(result.audience, "sts.amazonaws.com");
  EXPECT_EQ(result.provider, "token.actions.githubusercontent.com");
  EXPECT_EQ(result.credentials.access_key_id, "ASIAEXAMPLEEXAMPLE12");
}

TEST_F(StsTest, GetSessionTokenSendsTheMfaDevice) {
  transport.push(answer(200, std::string("<GetSessionTokenResponse xmlns=\"") + kNamespace + "\"><GetSessionTokenResult>" +
                                 credentials_xml() + "</GetSessionTokenResult></GetSessionTokenResponse>"));
  Credentials session = client().get_session_token(
      user_keys(), {.duration_seconds = 43200, .serial_number = "arn:aws:iam::111111111111:mfa/admin", .token_code = "654321"});
  EXPECT_EQ(transport.sent[0].body,
            "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200"
            "&SerialNumber=arn%3Aaws%3Aiam%3A%3A111111111111%3Amfa%2Fadmin&TokenCode=654321");
  EXPECT_EQ(session.session_token.reveal(), "FwoGZXIvYXdzEBY-token");
}

// Found by scripts/fuzz sts_xml: an expiration the clock cannot hold overflowed the nanosecond conversion.
TEST_F(StsTest, AnExpirationBeyondTheClocksRangeIsAMalformedAnswer) {
  std::string creds = credentials_xml();
  creds.replace(creds.find("2024-06-04T13:00:00Z"), 20, "4048-06-04T13:00:00Z");
  transport.push(answer(200, std::string("<GetSessionTokenResponse xmlns=\"") + kNamespace + "\"><GetSessionTokenResult>" +
                                 creds + "</GetSessionTokenResult></GetSessionTokenResponse>"));
  try {
    client().get_session_token(user_keys(), {});
    FAIL() << "expected a malformed answer";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "MalformedResponse");
    EXPECT_EQ(e.info().message, "incomplete <Credentials>");
  }
}

TEST_F(StsTest, TwoThrottlesThenSuccessTakesThreeAttemptsWithGrowingBackoff) {
  transport.push(answer(400, throttling_body()));
  transport.push(answer(400, throttling_body()));
  transport.push(answer(200, caller_identity_body()));
  EXPECT_EQ(client().get_caller_identity(user_keys()).account, "111111111111");
  EXPECT_EQ(transport.sent.size(), 3u);
  ASSERT_EQ(clock.sleeps.size(), 2u);
  EXPECT_EQ(clock.sleeps[0], std::chrono::milliseconds(500));   // 0.5 × 1 s
  EXPECT_EQ(clock.sleeps[1], std::chrono::milliseconds(1000));  // 0.5 × 2 s
  // Every attempt is signed afresh at the clock's time.
  EXPECT_EQ(transport.sent[0].headers.get("X-Amz-Date").value_or(""), "20240604T120000Z");
  EXPECT_EQ(transport.sent[2].headers.get("X-Amz-Date").value_or(""), "20240604T120001Z");
}

TEST_F(StsTest, ThreeThrottlesFailAfterThreeAttemptsWithAClearError) {
  for (int i = 0; i < 3; ++i) transport.push(answer(400, throttling_body()));
  try {
    client().get_caller_identity(user_keys());
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "Throttling");
    EXPECT_EQ(e.info().attempts, 3);
    EXPECT_EQ(e.info().http_status, 400);
    EXPECT_EQ(e.info().request_id, "req-throttle");
    EXPECT_EQ(e.message(), "could not check the caller identity (STS GetCallerIdentity: Throttling)");
    EXPECT_NE(e.explanation().find("AWS is throttling requests."), std::string::npos) << e.explanation();
    EXPECT_NE(e.explanation().find("AWS said: Rate exceeded"), std::string::npos);
    EXPECT_NE(e.explanation().find("HTTP 400, request ID req-throttle, 3 attempts."), std::string::npos);
  }
  EXPECT_EQ(transport.sent.size(), 3u);
  EXPECT_EQ(clock.sleeps.size(), 2u);
}

TEST_F(StsTest, ClientErrorsAreNotRetried) {
  transport.push(answer(403, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>"
                             "SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match."
                             "</Message><Type>Sender</Type></Error></Errors></ErrorResponse>",
                        {{"x-amzn-requestid", "req-moto"}}));
  try {
    client().get_caller_identity(user_keys());
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "SignatureDoesNotMatch");
    EXPECT_EQ(e.info().request_id, "req-moto");
    EXPECT_EQ(e.info().attempts, 1);
    EXPECT_EQ(e.message(), "could not check the caller identity (STS GetCallerIdentity: SignatureDoesNotMatch)");
    EXPECT_FALSE(e.hints().empty());
  }
  EXPECT_EQ(transport.sent.size(), 1u);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST_F(StsTest, ServerErrorsAndTimeoutsAreRetried) {
  transport.push(answer(500, std::string("<ErrorResponse xmlns=\"") + kNamespace +
                                 "\"><Error><Code>InternalFailure</Code></Error></ErrorResponse>"));
  transport.push(TransportError(TransportFailure::Timeout, "sts.example.test: Operation timed out"));
  transport.push(answer(200, caller_identity_body()));
  EXPECT_EQ(client().get_caller_identity(user_keys()).account, "111111111111");
  EXPECT_EQ(transport.sent.size(), 3u);
}

TEST_F(StsTest, TimeoutsOnEveryAttemptEndInATransportError) {
  for (int i = 0; i < 3; ++i) transport.push(TransportError(TransportFailure::Timeout, "sts.example.test: timed out"));
  try {
    client().get_caller_identity(user_keys());
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.info().transport, TransportFailure::Timeout);
    EXPECT_EQ(e.info().attempts, 3);
    EXPECT_EQ(e.message(), "could not check the caller identity (STS GetCallerIdentity: timed out)");
    EXPECT_NE(e.explanation().find("No answer from https://sts.example.test"), std::string::npos) << e.explanation();
  }
}

TEST_F(StsTest, UnretryableTransportFailuresAreNotRetried) {
  transport.push(TransportError(TransportFailure::Other, "sts.example.test: SSL certificate problem"));
  EXPECT_THROW(client().get_caller_identity(user_keys()), AwsError);
  EXPECT_EQ(transport.sent.size(), 1u);
}

TEST_F(StsTest, BackoffIsCappedAndAttemptsConfigurable) {
  RetryPolicy retry = fixed_jitter();
  retry.max_attempts = 5;
  retry.base_delay = std::chrono::milliseconds(1000);
  retry.max_delay = std::chrono::milliseconds(3000);
  for (int i = 0; i < 5; ++i) transport.push(answer(400, throttling_body()));
  EXPECT_THROW(client(retry).get_caller_identity(user_keys()), AwsError);
  EXPECT_EQ(transport.sent.size(), 5u);
  std::vector<std::chrono::milliseconds> expected{std::chrono::milliseconds(500), std::chrono::milliseconds(1000),
                                                  std::chrono::milliseconds(1500), std::chrono::milliseconds(1500)};
  EXPECT_EQ(clock.sleeps, expected);
}

TEST_F(StsTest, TimeoutsReachTheTransport) {
  ClientOptions options;
  options.timeouts = {std::chrono::milliseconds(250), std::chrono::milliseconds(1500)};
  StsClient sts({transport, clock, env}, options);
  transport.push(answer(200, caller_identity_body()));
  sts.get_caller_identity(user_keys());
  EXPECT_EQ(transport.last_timeouts.connect, std::chrono::milliseconds(250));
  EXPECT_EQ(transport.last_timeouts.total, std::chrono::milliseconds(1500));
  EXPECT_EQ(transport.sent[0].url, "https://sts.us-east-1.amazonaws.com/");
}

TEST_F(StsTest, MalformedAnswersAreErrors) {
  transport.push(answer(200, "<GetCallerIdentityResponse><Nope/>"));
  try {
    client().get_caller_identity(user_keys());
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "MalformedResponse");
  }
}

}  // namespace
}  // namespace atmos::aws
