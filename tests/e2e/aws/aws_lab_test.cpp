// The AWS client against the local lab (tests/lab), signature and policy checking on: every API call of
// src/aws succeeds with real credentials, errors keep their code and request id, retries follow the lab's
// injected faults, a stalled server hits the timeout, and the Trace log of the whole run holds no secret the
// lab issued. Needs ATMOS_LAB_STATE_DIR (the CTest fixture e2e_aws_lab sets it).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../../unit/hostile_input.hpp"
#include "aws/curl_transport.hpp"
#include "aws/signin.hpp"
#include "aws/sso.hpp"
#include "aws/sso_oidc.hpp"
#include "aws/sts.hpp"
#include "aws/url.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"
#include "core/value.hpp"

namespace atmos::aws {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStartUrl = "https://acme.awsapps.com/start";
constexpr const char* kPlatDev = "222222222222";

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path state_dir() {
  const char* dir = std::getenv("ATMOS_LAB_STATE_DIR");
  if (!dir) throw std::runtime_error("ATMOS_LAB_STATE_DIR is not set: run through ctest (fixture e2e_aws_lab)");
  return dir;
}

fs::path log_path() { return state_dir() / "aws_client_trace.log"; }

// The lab's control endpoints (/_lab/…), reached with the same transport the clients use.
class LabControl {
 public:
  explicit LabControl(HttpTransport& transport)
      : transport_(transport), endpoint_(parse_json(read_text(state_dir() / "ready.json")).get("endpoint").as_string()) {}

  const std::string& endpoint() const { return endpoint_; }

  HttpResponse raw(const std::string& method, const std::string& path, const std::string& body = "",
                   HttpHeaders headers = {}) {
    HttpRequest request;
    request.method = method;
    request.url = endpoint_ + path;
    request.body = body;
    request.headers = std::move(headers);
    if (!body.empty()) request.headers.add("Content-Type", "application/json");
    return transport_.send(request, HttpTimeouts{});
  }
  Value json(const std::string& method, const std::string& path, const std::string& body = "") {
    HttpResponse response = raw(method, path, body);
    if (response.status != 200) throw std::runtime_error(method + " " + path + " → " + std::to_string(response.status));
    return parse_json(response.body);
  }

  Value state() { return json("GET", "/_lab/state"); }
  Value iam_user(const std::string& name) {
    Value users = state().get("iam_users");
    for (const Value& user : users.as_list()) {
      if (user.get("name").as_string() == name) return user;
    }
    throw std::runtime_error("no IAM user " + name);
  }
  std::string totp(const std::string& serial) {
    return json("GET", "/_lab/totp?serial=" + uri_encode(serial)).get("code").as_string();
  }
  void fault(const std::string& operation, const std::string& kind, int count, double delay_seconds = 0) {
    json("POST", "/_lab/faults",
         "{\"operation\":\"" + operation + "\",\"kind\":\"" + kind + "\",\"count\":" + std::to_string(count) +
             ",\"delay_seconds\":" + std::to_string(delay_seconds) + "}");
  }
  void clear_faults() { json("DELETE", "/_lab/faults"); }
  void reset_counters() { json("POST", "/_lab/counters/reset"); }
  std::int64_t count(const std::string& operation) {
    Value counts = json("GET", "/_lab/counters").get("counts");
    return counts.has(operation) ? counts.get(operation).as_int() : 0;
  }
  std::vector<std::string> issued_secrets() {
    std::vector<std::string> values;
    Value issued = json("GET", "/_lab/secrets").get("secrets");
    for (const Value& entry : issued.as_list()) values.push_back(entry.get("value").as_string());
    Value lab_state = state();
    Value users = lab_state.get("iam_users");
    for (const Value& user : users.as_list()) values.push_back(user.get("secret_access_key").as_string());
    values.push_back(lab_state.at({"github", "request_token"}).as_string());
    return values;
  }

 private:
  HttpTransport& transport_;
  std::string endpoint_;
};

class AwsLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove(log_path());
    log::configure(log::Level::Trace, log_path().string());
  }

  void SetUp() override {
    lab.clear_faults();
    // The clients find every service through the variables; spec.endpoint_url is exercised for STS below.
    env.set("AWS_ENDPOINT_URL_SSO", lab.endpoint());
    env.set("AWS_ENDPOINT_URL_SSO_OIDC", lab.endpoint());
    env.set("AWS_ENDPOINT_URL_SIGNIN", lab.endpoint());
    env.set("AWS_ENDPOINT_URL", lab.endpoint());
  }

  ClientOptions options(std::string endpoint_url = "") {
    ClientOptions o;
    o.region = "us-east-1";
    o.endpoint_url = std::move(endpoint_url);
    o.timeouts = {std::chrono::milliseconds(2000), std::chrono::milliseconds(10'000)};
    o.retry.base_delay = std::chrono::milliseconds(50);
    return o;
  }
  ClientContext context() { return {transport, clock, env}; }

  Credentials admin_keys() {
    Value user = lab.iam_user("admin");
    Credentials keys;
    keys.access_key_id = user.get("access_key_id").as_string();
    keys.secret_access_key = Secret(user.get("secret_access_key").as_string());
    return keys;
  }

  Credentials mfa_session() {
    StsClient sts(context(), options(lab.endpoint()));
    GetSessionTokenRequest request;
    request.duration_seconds = 3600;
    request.serial_number = lab.iam_user("admin").get("mfa_serial").as_string();
    request.token_code = lab.totp(request.serial_number);
    return sts.get_session_token(admin_keys(), request);
  }

  // Runs the device flow (approval as `user`) and returns the token with the client registration.
  struct SsoLogin {
    RegisteredClient client;
    Token token;
  };
  SsoLogin sso_login() {
    SsoOidcClient oidc(context(), options());
    RegisterClientRequest registration;
    registration.client_name = "atmos-auth";
    registration.scopes = {"sso:account:access"};
    registration.grant_types = {std::string(kDeviceCodeGrant), std::string(kRefreshTokenGrant)};
    SsoLogin login{oidc.register_client(registration), {}};
    DeviceAuthorization device = oidc.start_device_authorization(login.client.client_id, login.client.client_secret, kStartUrl);
    HttpResponse approved = lab.raw("GET", device.verification_uri_complete.substr(lab.endpoint().size()));
    EXPECT_EQ(approved.status, 200);
    login.token = oidc.create_token_with_device_code(login.client.client_id, login.client.client_secret, device.device_code);
    return login;
  }

  ProcessEnvironment process_env;
  CurlTransport transport{process_env};
  SystemClock clock;
  MapEnvironment env;
  LabControl lab{transport};
};

TEST_F(AwsLab, GetCallerIdentityWithIamUserKeysThroughSpecEndpointUrl) {
  env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9");  // spec.endpoint_url must win over the variable
  StsClient sts(context(), options(lab.endpoint()));
  CallerIdentity identity = sts.get_caller_identity(admin_keys());
  EXPECT_EQ(identity.account, "111111111111");
  EXPECT_EQ(identity.arn, "arn:aws:iam::111111111111:user/admin");
  EXPECT_FALSE(identity.user_id.empty());
}

TEST_F(AwsLab, GetSessionTokenWithMfaThenAssumeRoleWithEveryParameter) {
  Credentials session = mfa_session();
  EXPECT_EQ(session.access_key_id.substr(0, 4), "ASIA");
  ASSERT_TRUE(session.expiration.has_value());
  EXPECT_GT(*session.expiration, std::chrono::system_clock::now());

  StsClient sts(context(), options());
  AssumeRoleRequest request;
  request.role_arn = std::string("arn:aws:iam::") + kPlatDev + ":role/OrganizationAccountAccessRole";
  request.role_session_name = "atmos-superadmin-e2e";
  request.duration_seconds = 900;
  request.external_id = "acme-external";
  request.tags = {{"team", "platform"}};
  request.transitive_tag_keys = {"team"};
  request.source_identity = "admin";
  // The lab does not check MFA parameters on AssumeRole (the MFA session carries aws:MultiFactorAuthPresent),
  // but it must accept them.
  request.serial_number = lab.iam_user("admin").get("mfa_serial").as_string();
  request.token_code = lab.totp(request.serial_number);
  AssumeRoleResult role = sts.assume_role(session, request);
  EXPECT_EQ(role.assumed_role_user.arn,
            std::string("arn:aws:sts::") + kPlatDev + ":assumed-role/OrganizationAccountAccessRole/atmos-superadmin-e2e");
  EXPECT_EQ(sts.get_caller_identity(role.credentials).arn, role.assumed_role_user.arn);
}

TEST_F(AwsLab, AssumeRoleWithoutMfaIsDeniedWithoutRetry) {
  lab.reset_counters();
  StsClient sts(context(), options());
  AssumeRoleRequest request;
  request.role_arn = std::string("arn:aws:iam::") + kPlatDev + ":role/OrganizationAccountAccessRole";
  request.role_session_name = "no-mfa";
  try {
    sts.assume_role(admin_keys(), request);
    FAIL() << "expected AccessDenied";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "AccessDenied");
    EXPECT_EQ(e.info().http_status, 403);
    EXPECT_EQ(e.info().attempts, 1);
  }
  EXPECT_EQ(lab.count("sts:AssumeRole"), 1);
}

TEST_F(AwsLab, AssumeRoleWithWebIdentityUsesTheGithubToken) {
  Value github = lab.state().get("github");
  HttpHeaders headers{{"Authorization", "bearer " + github.get("request_token").as_string()}};
  std::string url = github.get("request_url").as_string() + "&audience=sts.amazonaws.com";
  HttpResponse minted = lab.raw("GET", url.substr(lab.endpoint().size()), "", headers);
  ASSERT_EQ(minted.status, 200);
  StsClient sts(context(), options());
  AssumeRoleWithWebIdentityRequest request;
  request.role_arn = std::string("arn:aws:iam::") + kPlatDev + ":role/plat-dev-planner";
  request.role_session_name = "github-e2e";
  request.web_identity_token = Secret(parse_json(minted.body).get("value").as_string());
  request.duration_seconds = 900;
  AssumeRoleWithWebIdentityResult result = sts.assume_role_with_web_identity(request);
  EXPECT_EQ(result.assumed_role_user.arn, std::string("arn:aws:sts::") + kPlatDev + ":assumed-role/plat-dev-planner/github-e2e");
  EXPECT_EQ(result.audience, "sts.amazonaws.com");
  EXPECT_EQ(result.subject_from_web_identity_token.substr(0, 25), "repo:acme/infrastructure:");
  EXPECT_EQ(sts.get_caller_identity(result.credentials).arn, result.assumed_role_user.arn);
}

TEST_F(AwsLab, DeviceFlowPendingThenTokenThenRefresh) {
  SsoOidcClient oidc(context(), options());
  RegisterClientRequest registration;
  registration.client_name = "atmos-auth";
  registration.grant_types = {std::string(kDeviceCodeGrant), std::string(kRefreshTokenGrant)};
  RegisteredClient client = oidc.register_client(registration);
  EXPECT_GT(client.client_secret_expires_at, client.client_id_issued_at);
  DeviceAuthorization device = oidc.start_device_authorization(client.client_id, client.client_secret, kStartUrl);
  EXPECT_EQ(device.interval, 1);
  EXPECT_EQ(device.verification_uri_complete.rfind(lab.endpoint(), 0), 0u);
  try {
    oidc.create_token_with_device_code(client.client_id, client.client_secret, device.device_code);
    FAIL() << "expected AuthorizationPendingException";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "AuthorizationPendingException");
    EXPECT_EQ(e.info().attempts, 1);
  }
  ASSERT_EQ(lab.raw("GET", device.verification_uri_complete.substr(lab.endpoint().size())).status, 200);
  Token token = oidc.create_token_with_device_code(client.client_id, client.client_secret, device.device_code);
  EXPECT_FALSE(token.access_token.empty());
  EXPECT_FALSE(token.refresh_token.empty());
  EXPECT_EQ(token.expires_in, 28800);
  Token refreshed = oidc.create_token_with_refresh_token(client.client_id, client.client_secret, token.refresh_token);
  EXPECT_FALSE(refreshed.access_token.empty());
  EXPECT_FALSE(refreshed.access_token == token.access_token);
}

TEST_F(AwsLab, PortalListsFollowPagesAndRoleCredentialsWorkUntilLogout) {
  SsoLogin login = sso_login();
  SsoClient portal(context(), options());
  std::vector<SsoAccount> accounts = portal.list_accounts(login.token.access_token, 3);
  ASSERT_EQ(accounts.size(), 9u);
  EXPECT_EQ(accounts[1].account_id, kPlatDev);
  EXPECT_EQ(accounts[1].account_name, "plat-dev");
  std::vector<SsoRole> roles = portal.list_account_roles(login.token.access_token, kPlatDev, 1);
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(roles[0].role_name, "TerraformApplyAccess");

  Credentials role = portal.get_role_credentials(login.token.access_token, kPlatDev, "TerraformApplyAccess");
  ASSERT_TRUE(role.expiration.has_value());
  StsClient sts(context(), options());
  EXPECT_NE(sts.get_caller_identity(role).arn.find(":assumed-role/AWSReservedSSO_TerraformApplyAccess_"),
            std::string::npos);

  SigninClient signin(context(), options());
  Secret signin_token = signin.get_signin_token(role);
  EXPECT_FALSE(signin_token.empty());
  Secret url = signin.login_url(signin_token, "atmos", "https://console.aws.amazon.com/");
  HttpResponse login_page = lab.raw("GET", url.reveal().substr(lab.endpoint().size()));
  EXPECT_EQ(login_page.status, 302);

  portal.logout(login.token.access_token);
  try {
    portal.list_accounts(login.token.access_token);
    FAIL() << "expected UnauthorizedException";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "UnauthorizedException");
    EXPECT_EQ(e.info().http_status, 401);
  }
}

TEST_F(AwsLab, WrongSecretSurfacesSignatureDoesNotMatchWithRequestId) {
  Credentials keys = admin_keys();
  keys.secret_access_key = Secret(std::string("not-the-secret-access-key-of-admin"));
  StsClient sts(context(), options());
  try {
    sts.get_caller_identity(keys);
    FAIL() << "expected SignatureDoesNotMatch";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "SignatureDoesNotMatch");
    EXPECT_EQ(e.info().http_status, 403);
    EXPECT_FALSE(e.info().request_id.empty());
    EXPECT_NE(e.explanation().find("request ID " + e.info().request_id), std::string::npos) << e.explanation();
    EXPECT_EQ(e.info().attempts, 1);
  }
}

TEST_F(AwsLab, TwoThrottlesThenSuccessAfterThreeAttempts) {
  lab.reset_counters();
  lab.fault("sts:GetCallerIdentity", "throttle", 2);
  StsClient sts(context(), options());
  EXPECT_EQ(sts.get_caller_identity(admin_keys()).account, "111111111111");
  EXPECT_EQ(lab.count("sts:GetCallerIdentity"), 3);
}

TEST_F(AwsLab, ThreeThrottlesFailClearlyAfterThreeAttempts) {
  lab.reset_counters();
  lab.fault("sts:GetCallerIdentity", "throttle", 3);
  StsClient sts(context(), options());
  try {
    sts.get_caller_identity(admin_keys());
    FAIL() << "expected Throttling";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "Throttling");
    EXPECT_EQ(e.info().attempts, 3);
    EXPECT_EQ(e.message(), "could not check the caller identity (STS GetCallerIdentity: Throttling)");
  }
  EXPECT_EQ(lab.count("sts:GetCallerIdentity"), 3);
}

TEST_F(AwsLab, ServerErrorsAndPortalThrottlingAreRetried) {
  lab.reset_counters();
  lab.fault("sts:GetCallerIdentity", "error", 1);
  StsClient sts(context(), options());
  EXPECT_EQ(sts.get_caller_identity(admin_keys()).account, "111111111111");
  EXPECT_EQ(lab.count("sts:GetCallerIdentity"), 2);

  SsoLogin login = sso_login();
  lab.fault("sso:ListAccounts", "throttle", 2);
  SsoClient portal(context(), options());
  EXPECT_EQ(portal.list_accounts(login.token.access_token).size(), 9u);
  EXPECT_EQ(lab.count("sso:ListAccounts"), 3);
}

TEST_F(AwsLab, AnOversizedAnswerStopsAtTheLimitAndIsNotRetried) {
  lab.reset_counters();
  lab.fault("sts:GetCallerIdentity", "oversized", 3);
  StsClient sts(context(), options());
  atmos::testing::expect_cheap("32 MiB answer from the lab", 128, [&] {
    try {
      sts.get_caller_identity(admin_keys());
      FAIL() << "expected the answer to be refused";
    } catch (const AwsError& e) {
      EXPECT_EQ(e.info().transport, TransportFailure::TooLarge);
      EXPECT_EQ(e.info().attempts, 1);
      EXPECT_EQ(e.message(), "could not check the caller identity (STS GetCallerIdentity: answer too large)");
      EXPECT_NE(e.explanation().find("the answer's body exceeded 16 MiB, the limit for one answer (see docs/limits.md)"),
                std::string::npos)
          << e.message() << "\n" << e.explanation();
    }
  });
  EXPECT_EQ(lab.count("sts:GetCallerIdentity"), 1);
}

TEST_F(AwsLab, StalledServerHitsTheTimeoutInsteadOfHanging) {
  lab.reset_counters();
  lab.fault("sts:GetCallerIdentity", "delay", 3, 5.0);
  ClientOptions o = options();
  o.timeouts.total = std::chrono::milliseconds(500);
  StsClient sts(context(), o);
  auto started = std::chrono::steady_clock::now();
  try {
    sts.get_caller_identity(admin_keys());
    FAIL() << "expected a timeout";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.info().transport, TransportFailure::Timeout);
    EXPECT_EQ(e.info().attempts, 3);
    EXPECT_EQ(e.message(), "could not check the caller identity (STS GetCallerIdentity: timed out)");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_EQ(lab.count("sts:GetCallerIdentity"), 3);
}

// Runs last (gtest keeps declaration order): every earlier case logged at Trace into one file.
TEST_F(AwsLab, TraceLogHoldsNoSecretTheLabIssued) {
  std::string text = read_text(log_path());
  EXPECT_NE(text.find("TRCE SigV4 signing scope="), std::string::npos);
  EXPECT_NE(text.find("Retrying AWS call sts:GetCallerIdentity after Throttling"), std::string::npos);
  std::vector<std::string> secrets = lab.issued_secrets();
  EXPECT_GT(secrets.size(), 20u);
  for (const std::string& secret : secrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "the Trace log contains a secret (" << secret.size() << " chars)";
  }
}

}  // namespace
}  // namespace atmos::aws
