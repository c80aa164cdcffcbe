// No log line at any level may contain credential material: every API call runs at Trace against canned
// answers full of secrets (successes, retried throttles and errors), and the log is searched for each one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/signin.hpp"
#include "aws/sso.hpp"
#include "aws/sso_oidc.hpp"
#include "aws/sts.hpp"
#include "core/log.hpp"
#include "fakes.hpp"

namespace atmos::aws {
namespace {

using testing::answer;

const std::vector<std::string> kSecrets = {
    "user-secret-key-0123456789", "base-session-token-0123456789", "web-identity-jwt-0123456789",
    "role-secret-0123456789",      "role-session-token-0123456789", "client-secret-0123456789",
    "device-code-0123456789",      "access-token-0123456789",       "refresh-token-0123456789",
    "signin-token-0123456789",     "sso-role-secret-0123456789",    "sso-role-token-0123456789",
};

std::string sts_credentials(const std::string& action) {
  return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>ASIAEXAMPLEEXAMPLE12</AccessKeyId>"
         "<SecretAccessKey>role-secret-0123456789</SecretAccessKey><SessionToken>role-session-token-0123456789"
         "</SessionToken><Expiration>2024-06-04T13:00:00Z</Expiration></Credentials></" + action + "Result></" + action +
         "Response>";
}

TEST(LogHygiene, TraceLogOfEveryApiCallHoldsNoSecret) {
  auto path = std::filesystem::temp_directory_path() / ("aws-log-hygiene-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  log::Level previous = log::level();
  log::configure(log::Level::Trace, path.string());

  testing::FakeTransport transport;
  testing::FakeClock clock;
  MapEnvironment env;
  ClientOptions options;
  options.endpoint_url = "https://lab.test";
  options.retry.jitter = [] { return 0.0; };
  ClientContext context{transport, clock, env};

  Credentials user;
  user.access_key_id = "AKIAEXAMPLEEXAMPLE12";
  user.secret_access_key = Secret(std::string("user-secret-key-0123456789"));
  Credentials session = user;
  session.session_token = Secret(std::string("base-session-token-0123456789"));

  StsClient sts(context, options);
  transport.push(answer(400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>"));
  transport.push(answer(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account>"
                             "</GetCallerIdentityResult></GetCallerIdentityResponse>"));
  sts.get_caller_identity(session);
  transport.push(answer(200, sts_credentials("AssumeRole")));
  AssumeRoleRequest assume;
  assume.role_arn = "arn:aws:iam::1:role/r";
  assume.role_session_name = "s";
  sts.assume_role(session, assume);
  transport.push(answer(200, sts_credentials("AssumeRoleWithWebIdentity")));
  AssumeRoleWithWebIdentityRequest web;
  web.role_arn = "arn:aws:iam::1:role/r";
  web.role_session_name = "s";
  web.web_identity_token = Secret(std::string("web-identity-jwt-0123456789"));
  sts.assume_role_with_web_identity(web);
  transport.push(answer(200, sts_credentials("GetSessionToken")));
  sts.get_session_token(user, {});
  transport.push(answer(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"));
  EXPECT_THROW(sts.get_session_token(user, {}), AwsError);

  SsoOidcClient oidc(context, options);
  transport.push(answer(200, R"({"clientId":"cid","clientSecret":"client-secret-0123456789"})"));
  RegisterClientRequest registration;
  registration.client_name = "atmos-auth";
  RegisteredClient client = oidc.register_client(registration);
  transport.push(answer(200, R"({"deviceCode":"device-code-0123456789","userCode":"ABCD-EFGH","interval":1})"));
  DeviceAuthorization device = oidc.start_device_authorization("cid", client.client_secret, "https://start");
  transport.push(answer(400, R"({"error":"authorization_pending"})", {{"x-amzn-ErrorType", "AuthorizationPendingException"}}));
  EXPECT_THROW(oidc.create_token_with_device_code("cid", client.client_secret, device.device_code), AwsError);
  transport.push(answer(200, R"({"accessToken":"access-token-0123456789","refreshToken":"refresh-token-0123456789"})"));
  Token token = oidc.create_token_with_device_code("cid", client.client_secret, device.device_code);
  transport.push(answer(200, R"({"accessToken":"access-token-0123456789"})"));
  oidc.create_token_with_refresh_token("cid", client.client_secret, token.refresh_token);

  SsoClient portal(context, options);
  transport.push(answer(200, R"({"accountList":[{"accountId":"1"}],"nextToken":"n"})"));
  transport.push(answer(200, R"({"accountList":[]})"));
  portal.list_accounts(token.access_token);
  transport.push(answer(200, R"({"roleList":[{"roleName":"r"}]})"));
  portal.list_account_roles(token.access_token, "1");
  transport.push(answer(200, R"({"roleCredentials":{"accessKeyId":"ASIAROLE","secretAccessKey":"sso-role-secret-0123456789",)"
                             R"("sessionToken":"sso-role-token-0123456789","expiration":1717506000000}})"));
  Credentials role = portal.get_role_credentials(token.access_token, "1", "r");
  transport.push(answer(200, ""));
  portal.logout(token.access_token);

  SigninClient signin(context, options);
  transport.push(answer(200, R"({"SigninToken":"signin-token-0123456789"})"));
  signin.get_signin_token(role);

  log::configure(previous, "");
  std::ifstream in(path);
  std::stringstream log;
  log << in.rdbuf();
  std::filesystem::remove(path);
  std::string text = log.str();
  EXPECT_NE(text.find("TRCE"), std::string::npos) << "nothing logged at Trace";
  EXPECT_NE(text.find("Retrying AWS call sts:GetCallerIdentity after Throttling"), std::string::npos) << text;
  for (const auto& secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "the log contains a secret (" << secret.substr(0, 8) << "…)";
  }
}

}  // namespace
}  // namespace atmos::aws
