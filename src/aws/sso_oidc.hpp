// IAM Identity Center OIDC (REST-JSON, unsigned): RegisterClient, StartDeviceAuthorization and CreateToken
// with the device-code and refresh-token grants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.hpp"

namespace atmos::aws {

inline constexpr std::string_view kDeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";
inline constexpr std::string_view kRefreshTokenGrant = "refresh_token";

struct RegisterClientRequest {
  std::string client_name;
  std::string client_type = "public";
  std::vector<std::string> scopes;
  std::vector<std::string> grant_types;
  std::string issuer_url;
  std::vector<std::string> redirect_uris;
};

struct RegisteredClient {
  std::string client_id;
  Secret client_secret;
  std::int64_t client_id_issued_at = 0;       // Unix seconds
  std::int64_t client_secret_expires_at = 0;  // Unix seconds
};

struct DeviceAuthorization {
  Secret device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;
  int expires_in = 0;  // seconds
  int interval = 1;    // seconds between polls
};

struct Token {
  Secret access_token;
  std::string token_type;
  int expires_in = 0;  // seconds
  Secret refresh_token;
  Secret id_token;
};

// Thread-safe. Every call throws AwsError on failure (AuthorizationPendingException and SlowDownException
// included: the device-flow loop belongs to the caller).
class SsoOidcClient {
 public:
  SsoOidcClient(ClientContext context, ClientOptions options);

  RegisteredClient register_client(const RegisterClientRequest& request);
  DeviceAuthorization start_device_authorization(const std::string& client_id, const Secret& client_secret,
                                                 const std::string& start_url);
  Token create_token_with_device_code(const std::string& client_id, const Secret& client_secret, const Secret& device_code);
  Token create_token_with_refresh_token(const std::string& client_id, const Secret& client_secret,
                                        const Secret& refresh_token);

  const ServiceClient& service() const { return client_; }

 private:
  Token create_token(std::string body);
  HttpResponse post(std::string_view operation, std::string path, std::string body);
  ServiceClient client_;
};

}  // namespace atmos::aws
