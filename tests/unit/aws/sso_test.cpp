// The IAM Identity Center clients (OIDC and portal) and console federation against canned answers.
#include <gtest/gtest.h>

#include "aws/signin.hpp"
#include "aws/sso.hpp"
#include "aws/sso_oidc.hpp"
#include "fakes.hpp"

namespace atmos::aws {
namespace {

using testing::answer;
using testing::FakeClock;
using testing::FakeTransport;

class SsoTest : public ::testing::Test {
 protected:
  ClientOptions options(std::string endpoint = "https://lab.test") {
    ClientOptions o;
    o.region = "us-east-1";
    o.endpoint_url = std::move(endpoint);
    o.retry.jitter = [] { return 0.0; };
    return o;
  }
  ClientContext context() { return {transport, clock, env}; }

  FakeTransport transport;
  FakeClock clock;
  MapEnvironment env;
};

TEST_F(SsoTest, RegisterClientPostsJsonAndReadsTheRegistration) {
  transport.push(answer(200, R"({"clientId":"cid","clientSecret":"csecret","clientIdIssuedAt":1717502400,)"
                             R"("clientSecretExpiresAt":1725278400})"));
  SsoOidcClient oidc(context(), options());
  RegisterClientRequest request;
  request.client_name = "atmos-auth";
  request.scopes = {"sso:account:access"};
  request.grant_types = {std::string(kDeviceCodeGrant), "refresh_token"};
  RegisteredClient client = oidc.register_client(request);
  const HttpRequest& sent = transport.sent[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://lab.test/client/register");
  EXPECT_EQ(sent.headers.get("Content-Type").value_or(""), "application/json");
  EXPECT_FALSE(sent.headers.has("Authorization"));
  EXPECT_EQ(sent.body,
            R"({"clientName":"atmos-auth","clientType":"public","scopes":["sso:account:access"],)"
            R"("grantTypes":["urn:ietf:params:oauth:grant-type:device_code","refresh_token"]})");
  EXPECT_EQ(client.client_id, "cid");
  EXPECT_EQ(client.client_secret.reveal(), "csecret");
  EXPECT_EQ(client.client_id_issued_at, 1717502400);
  EXPECT_EQ(client.client_secret_expires_at, 1725278400);
}

TEST_F(SsoTest, DeviceFlowRequestsAndPendingIsNotRetried) {
  transport.push(answer(200, R"({"deviceCode":"dcode","userCode":"BCDF-GHJK","verificationUri":"https://v",)"
                             R"("verificationUriComplete":"https://v?user_code=BCDF-GHJK","expiresIn":600,"interval":5})"));
  transport.push(answer(400, R"({"error":"authorization_pending","error_description":"Authorization is still pending"})",
                        {{"x-amzn-ErrorType", "AuthorizationPendingException:http://internal.amazon.com/coral/"},
                         {"x-amzn-RequestId", "req-pending"}}));
  transport.push(answer(200, R"({"accessToken":"atoken","tokenType":"Bearer","expiresIn":28800,"refreshToken":"rtoken"})"));
  SsoOidcClient oidc(context(), options());
  Secret client_secret(std::string("csecret"));
  DeviceAuthorization device = oidc.start_device_authorization("cid", client_secret, "https://acme.awsapps.com/start");
  EXPECT_EQ(transport.sent[0].url, "https://lab.test/device_authorization");
  EXPECT_EQ(transport.sent[0].body, R"({"clientId":"cid","clientSecret":"csecret","startUrl":"https://acme.awsapps.com/start"})");
  EXPECT_EQ(device.device_code.reveal(), "dcode");
  EXPECT_EQ(device.user_code, "BCDF-GHJK");
  EXPECT_EQ(device.verification_uri_complete, "https://v?user_code=BCDF-GHJK");
  EXPECT_EQ(device.expires_in, 600);
  EXPECT_EQ(device.interval, 5);

  try {
    oidc.create_token_with_device_code("cid", client_secret, device.device_code);
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "AuthorizationPendingException");
    EXPECT_EQ(e.info().message, "Authorization is still pending");
    EXPECT_EQ(e.info().request_id, "req-pending");
    EXPECT_EQ(e.info().attempts, 1);
  }
  EXPECT_EQ(transport.sent[1].body,
            R"({"clientId":"cid","clientSecret":"csecret","grantType":"urn:ietf:params:oauth:grant-type:device_code",)"
            R"("deviceCode":"dcode"})");
  Token token = oidc.create_token_with_device_code("cid", client_secret, device.device_code);
  EXPECT_EQ(token.access_token.reveal(), "atoken");
  EXPECT_EQ(token.refresh_token.reveal(), "rtoken");
  EXPECT_EQ(token.token_type, "Bearer");
  EXPECT_EQ(token.expires_in, 28800);
}

TEST_F(SsoTest, RefreshTokenGrant) {
  transport.push(answer(200, R"({"accessToken":"atoken2","tokenType":"Bearer","expiresIn":3600})"));
  SsoOidcClient oidc(context(), options());
  Token token = oidc.create_token_with_refresh_token("cid", Secret(std::string("csecret")), Secret(std::string("rtoken")));
  EXPECT_EQ(transport.sent[0].body,
            R"({"clientId":"cid","clientSecret":"csecret","grantType":"refresh_token","refreshToken":"rtoken"})");
  EXPECT_EQ(token.access_token.reveal(), "atoken2");
  EXPECT_TRUE(token.refresh_token.empty());
}

TEST_F(SsoTest, TooManyRequestsIsRetried) {
  transport.push(answer(429, R"({"message":"Rate exceeded"})", {{"x-amzn-ErrorType", "TooManyRequestsException"}}));
  transport.push(answer(200, R"({"accountList":[]})"));
  SsoClient portal(context(), options());
  EXPECT_TRUE(portal.list_accounts(Secret(std::string("atoken"))).empty());
  EXPECT_EQ(transport.sent.size(), 2u);
}

TEST_F(SsoTest, ListAccountsFollowsNextToken) {
  transport.push(answer(200, R"({"accountList":[{"accountId":"111111111111","accountName":"core-root",)"
                             R"("emailAddress":"a@x"}],"nextToken":"page 2/="})"));
  transport.push(answer(200, R"({"accountList":[{"accountId":"222222222222","accountName":"plat-dev","emailAddress":"b@x"}]})"));
  SsoClient portal(context(), options());
  std::vector<SsoAccount> accounts = portal.list_accounts(Secret(std::string("atoken")));
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].account_name, "core-root");
  EXPECT_EQ(accounts[1].account_id, "222222222222");
  EXPECT_EQ(accounts[1].email_address, "b@x");
  EXPECT_EQ(transport.sent[0].url, "https://lab.test/assignment/accounts");
  EXPECT_EQ(transport.sent[1].url, "https://lab.test/assignment/accounts?next_token=page%202%2F%3D");
  EXPECT_EQ(transport.sent[0].method, "GET");
  EXPECT_EQ(transport.sent[0].headers.get("x-amz-sso_bearer_token").value_or(""), "atoken");
  EXPECT_FALSE(transport.sent[0].headers.has("Authorization"));
}

TEST_F(SsoTest, ListAccountRolesFollowsNextTokenAndPagesCanBeSized) {
  transport.push(answer(200, R"({"roleList":[{"roleName":"TerraformApplyAccess","accountId":"222222222222"}],"nextToken":"t"})"));
  transport.push(answer(200, R"({"roleList":[{"roleName":"RootAccess","accountId":"222222222222"}]})"));
  transport.push(answer(200, R"({"roleList":[],"nextToken":"u"})"));
  SsoClient portal(context(), options());
  Secret token(std::string("atoken"));
  std::vector<SsoRole> roles = portal.list_account_roles(token, "222222222222");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[1].role_name, "RootAccess");
  EXPECT_EQ(transport.sent[0].url, "https://lab.test/assignment/roles?account_id=222222222222");
  EXPECT_EQ(transport.sent[1].url, "https://lab.test/assignment/roles?account_id=222222222222&next_token=t");
  Page<SsoRole> page = portal.list_account_roles_page(token, "222222222222", "", 1);
  EXPECT_EQ(page.next_token, "u");
  EXPECT_EQ(transport.sent[2].url, "https://lab.test/assignment/roles?account_id=222222222222&max_result=1");
}

TEST_F(SsoTest, GetRoleCredentialsReadsMillisecondExpiration) {
  transport.push(answer(200, R"({"roleCredentials":{"accessKeyId":"ASIAROLE","secretAccessKey":"rsecret",)"
                             R"("sessionToken":"rtoken","expiration":1717506000123}})"));
  SsoClient portal(context(), options());
  Credentials credentials = portal.get_role_credentials(Secret(std::string("atoken")), "222222222222", "TerraformApplyAccess");
  EXPECT_EQ(transport.sent[0].url,
            "https://lab.test/federation/credentials?account_id=222222222222&role_name=TerraformApplyAccess");
  EXPECT_EQ(credentials.access_key_id, "ASIAROLE");
  EXPECT_EQ(credentials.secret_access_key.reveal(), "rsecret");
  EXPECT_EQ(credentials.session_token.reveal(), "rtoken");
  EXPECT_EQ(credentials.expiration, std::chrono::system_clock::from_time_t(1717506000) + std::chrono::milliseconds(123));
}

TEST_F(SsoTest, PortalErrorsKeepTheirCode) {
  transport.push(answer(401, R"({"message":"Session token not found or invalid"})",
                        {{"x-amzn-ErrorType", "UnauthorizedException"}, {"x-amzn-RequestId", "req-401"}}));
  SsoClient portal(context(), options());
  try {
    portal.get_role_credentials(Secret(std::string("expired")), "1", "r");
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "UnauthorizedException");
    EXPECT_EQ(e.message(), "could not get the SSO role credentials (SSO GetRoleCredentials: UnauthorizedException)");
    EXPECT_EQ(e.hints(), std::vector<std::string>{"Log in again (atmos auth login)."});
  }
}

TEST_F(SsoTest, LogoutPostsTheBearerToken) {
  transport.push(answer(200, ""));
  SsoClient portal(context(), options());
  portal.logout(Secret(std::string("atoken")));
  EXPECT_EQ(transport.sent[0].method, "POST");
  EXPECT_EQ(transport.sent[0].url, "https://lab.test/logout");
  EXPECT_EQ(transport.sent[0].headers.get("x-amz-sso_bearer_token").value_or(""), "atoken");
}

TEST_F(SsoTest, JsonErrorCodeFromTypeMember) {
  transport.push(answer(400, R"({"__type":"com.amazonaws.sso#InvalidRequestException","Message":"bad"})"));
  SsoClient portal(context(), options());
  try {
    portal.logout(Secret(std::string("atoken")));
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "InvalidRequestException");
    EXPECT_EQ(e.info().message, "bad");
  }
}

TEST_F(SsoTest, SigninTokenAndLoginUrl) {
  transport.push(answer(200, R"({"SigninToken":"stoken"})"));
  SigninClient signin(context(), options("https://signin.test"));
  Credentials credentials;
  credentials.access_key_id = "ASIAROLE";
  credentials.secret_access_key = Secret(std::string("rsecret"));
  credentials.session_token = Secret(std::string("rtoken"));
  Secret token = signin.get_signin_token(credentials);
  EXPECT_EQ(token.reveal(), "stoken");
  EXPECT_EQ(transport.sent[0].method, "GET");
  EXPECT_EQ(transport.sent[0].url,
            "https://signin.test/federation?Action=getSigninToken&Session=%7B%22sessionId%22%3A%22ASIAROLE%22%2C"
            "%22sessionKey%22%3A%22rsecret%22%2C%22sessionToken%22%3A%22rtoken%22%7D");
  EXPECT_EQ(signin.login_url(token, "atmos", "https://console.aws.amazon.com/").reveal(),
            "https://signin.test/federation?Action=login&Issuer=atmos&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F"
            "&SigninToken=stoken");
}

TEST_F(SsoTest, DefaultEndpointsFollowTheRegion) {
  ClientOptions o;
  o.region = "eu-west-1";
  EXPECT_EQ(SsoClient(context(), o).service().endpoint(), "https://portal.sso.eu-west-1.amazonaws.com");
  EXPECT_EQ(SsoOidcClient(context(), o).service().endpoint(), "https://oidc.eu-west-1.amazonaws.com");
  EXPECT_EQ(SigninClient(context(), o).service().endpoint(), "https://eu-west-1.signin.aws.amazon.com");
  env.set("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:5000");
  EXPECT_EQ(SsoClient(context(), o).service().endpoint(), "http://127.0.0.1:5000");
}

}  // namespace
}  // namespace atmos::aws
