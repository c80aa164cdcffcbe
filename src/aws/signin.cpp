#include "aws/signin.hpp"

#include <stdexcept>

#include "aws/json_wire.hpp"
#include "aws/url.hpp"

namespace atmos::aws {

SigninClient::SigninClient(ClientContext context, ClientOptions options)
    : client_(Service::Signin, context, std::move(options)) {}

Secret SigninClient::get_signin_token(const Credentials& credentials, std::optional<int> session_duration_seconds) {
  JsonObjectWriter session;
  session.string("sessionId", credentials.access_key_id)
      .string("sessionKey", credentials.secret_access_key.reveal())
      .string("sessionToken", credentials.session_token.reveal());
  QueryParams params{{"Action", "getSigninToken"}};
  if (session_duration_seconds) params.emplace_back("SessionDuration", std::to_string(*session_duration_seconds));
  params.emplace_back("Session", session.finish());
  HttpRequest request;
  request.method = "GET";
  request.url = "/federation?" + encode_query(params);
  for (auto& param : params) wipe(param.second);
  HttpResponse response = client_.call("GetSigninToken", std::move(request));
  try {
    JsonResponse json(response.body);
    Secret token = json.secret("SigninToken");
    if (token.empty()) throw std::runtime_error("no SigninToken");
    return token;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("GetSigninToken", response, e.what());
  }
}

Secret SigninClient::login_url(const Secret& signin_token, const std::string& issuer, const std::string& destination) const {
  QueryParams params{{"Action", "login"}, {"Issuer", issuer}, {"Destination", destination}, {"SigninToken", signin_token.reveal()}};
  Secret url(client_.endpoint() + "/federation?" + encode_query(params));
  wipe(params.back().second);
  return url;
}

}  // namespace atmos::aws
