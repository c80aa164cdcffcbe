#include "aws/sso_oidc.hpp"

#include <stdexcept>

#include "aws/json_wire.hpp"

namespace atmos::aws {

SsoOidcClient::SsoOidcClient(ClientContext context, ClientOptions options)
    : client_(Service::SsoOidc, context, std::move(options)) {}

HttpResponse SsoOidcClient::post(std::string_view operation, std::string path, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(path);
  request.headers.add("Content-Type", "application/json");
  request.body = std::move(body);
  return client_.call(operation, std::move(request));
}

RegisteredClient SsoOidcClient::register_client(const RegisterClientRequest& request) {
  JsonObjectWriter body;
  body.string("clientName", request.client_name).string("clientType", request.client_type);
  if (!request.scopes.empty()) body.strings("scopes", request.scopes);
  if (!request.grant_types.empty()) body.strings("grantTypes", request.grant_types);
  body.optional_string("issuerUrl", request.issuer_url);
  if (!request.redirect_uris.empty()) body.strings("redirectUris", request.redirect_uris);
  HttpResponse response = post("RegisterClient", "/client/register", body.finish());
  try {
    JsonResponse json(response.body);
    RegisteredClient out{json.string("clientId"), json.secret("clientSecret"), json.integer("clientIdIssuedAt").value_or(0),
                         json.integer("clientSecretExpiresAt").value_or(0)};
    if (out.client_id.empty() || out.client_secret.empty()) throw std::runtime_error("no clientId or clientSecret");
    return out;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("RegisterClient", response, e.what());
  }
}

DeviceAuthorization SsoOidcClient::start_device_authorization(const std::string& client_id, const Secret& client_secret,
                                                              const std::string& start_url) {
  JsonObjectWriter body;
  body.string("clientId", client_id).string("clientSecret", client_secret.reveal()).string("startUrl", start_url);
  HttpResponse response = post("StartDeviceAuthorization", "/device_authorization", body.finish());
  try {
    JsonResponse json(response.body);
    DeviceAuthorization out;
    out.device_code = json.secret("deviceCode");
    out.user_code = json.string("userCode");
    out.verification_uri = json.string("verificationUri");
    out.verification_uri_complete = json.string("verificationUriComplete");
    out.expires_in = static_cast<int>(json.integer("expiresIn").value_or(0));
    out.interval = static_cast<int>(json.integer("interval").value_or(1));
    if (out.device_code.empty() || out.user_code.empty()) throw std::runtime_error("no deviceCode or userCode");
    return out;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("StartDeviceAuthorization", response, e.what());
  }
}

Token SsoOidcClient::create_token(std::string body) {
  HttpResponse response = post("CreateToken", "/token", std::move(body));
  try {
    JsonResponse json(response.body);
    Token out;
    out.access_token = json.secret("accessToken");
    out.token_type = json.string("tokenType");
    out.expires_in = static_cast<int>(json.integer("expiresIn").value_or(0));
    out.refresh_token = json.secret("refreshToken");
    out.id_token = json.secret("idToken");
    if (out.access_token.empty()) throw std::runtime_error("no accessToken");
    return out;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("CreateToken", response, e.what());
  }
}

Token SsoOidcClient::create_token_with_device_code(const std::string& client_id, const Secret& client_secret,
                                                   const Secret& device_code) {
  JsonObjectWriter body;
  body.string("clientId", client_id)
      .string("clientSecret", client_secret.reveal())
      .string("grantType", kDeviceCodeGrant)
      .string("deviceCode", device_code.reveal());
  return create_token(body.finish());
}

Token SsoOidcClient::create_token_with_refresh_token(const std::string& client_id, const Secret& client_secret,
                                                     const Secret& refresh_token) {
  JsonObjectWriter body;
  body.string("clientId", client_id)
      .string("clientSecret", client_secret.reveal())
      .string("grantType", kRefreshTokenGrant)
      .string("refreshToken", refresh_token.reveal());
  return create_token(body.finish());
}

}  // namespace atmos::aws
