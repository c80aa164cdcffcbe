// AWS console federation (signin.aws.amazon.com/federation): getSigninToken exchanges temporary role
// credentials for a sign-in token, which the console login URL carries.
#pragma once

#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/service_client.hpp"

namespace atmos::aws {

// Thread-safe. Throws AwsError on failure.
class SigninClient {
 public:
  SigninClient(ClientContext context, ClientOptions options);

  // GET /federation?Action=getSigninToken&Session=<JSON of sessionId/sessionKey/sessionToken>, plus
  // SessionDuration when given. The credentials must carry a session token.
  Secret get_signin_token(const Credentials& credentials, std::optional<int> session_duration_seconds = std::nullopt);

  // <endpoint>/federation?Action=login&Issuer=…&Destination=…&SigninToken=… (a secret: it signs the holder in).
  Secret login_url(const Secret& signin_token, const std::string& issuer, const std::string& destination) const;

  const ServiceClient& service() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace atmos::aws
