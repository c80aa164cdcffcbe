#include "aws/errors.hpp"

#include <fmt/format.h>
#include <pugixml.hpp>

#include <map>
#include <stdexcept>
#include <string_view>

#include "aws/json_wire.hpp"
#include "core/secret.hpp"

namespace atmos::aws {
namespace {

std::string_view operation_phrase(std::string_view operation) {
  static const std::map<std::string_view, std::string_view> kPhrases = {
      {"GetCallerIdentity", "check the caller identity"},
      {"AssumeRole", "assume the role"},
      {"AssumeRoleWithWebIdentity", "assume the role with the web identity token"},
      {"GetSessionToken", "get a session token"},
      {"RegisterClient", "register the SSO client"},
      {"StartDeviceAuthorization", "start the SSO device authorization"},
      {"CreateToken", "create the SSO access token"},
      {"ListAccounts", "list the SSO accounts"},
      {"ListAccountRoles", "list the roles of the SSO account"},
      {"GetRoleCredentials", "get the SSO role credentials"},
      {"Logout", "log out of the SSO session"},
      {"GetSigninToken", "get a console sign-in token"},
      {"GetObject", "read the S3 object"},
      {"GetParameter", "read the SSM parameter"},
      {"PutParameter", "write the SSM parameter"},
      {"DescribeOrganization", "describe the organization"},
  };
  auto it = kPhrases.find(operation);
  return it == kPhrases.end() ? std::string_view("call AWS") : it->second;
}

struct CodeText {
  std::string_view meaning;
  std::string_view hint;
};

const CodeText* code_text(std::string_view code) {
  static const std::map<std::string_view, CodeText> kCodes = {
      {"SignatureDoesNotMatch",
       {"AWS rejected the request signature: the secret access key does not belong to the access key ID, or the "
        "system clock is far off.",
        "Check the secret access key (for an IAM user: atmos auth user configure) and the system clock."}},
      {"IncompleteSignature", {"The request was not completely signed.", ""}},
      {"InvalidClientTokenId",
       {"AWS does not know the access key ID or the session token: the credentials were deleted, rotated or "
        "mistyped.",
        "Configure current credentials and log in again."}},
      {"UnrecognizedClientException", {"AWS does not know the access key ID or the session token.", ""}},
      {"ExpiredToken", {"The credentials have expired.", "Log in again to get fresh credentials."}},
      {"ExpiredTokenException", {"The token has expired.", "Log in again to get a fresh token."}},
      {"AccessDenied",
       {"AWS refused: the caller's policies, or the role's trust policy, do not allow this.",
        "Check the IAM policies of the caller and the trust policy of the role."}},
      {"AccessDeniedException", {"AWS refused the request.", ""}},
      {"MissingAuthenticationToken", {"The request carried no credentials.", ""}},
      {"InvalidIdentityToken", {"STS does not accept the web identity token.", "Check the OIDC provider and the token's audience."}},
      {"IDPRejectedClaim", {"The identity provider rejected the token's claims.", ""}},
      {"RegionDisabledException", {"STS is not activated in this region for the account.", ""}},
      {"ValidationError", {"AWS rejected a parameter of the request.", ""}},
      {"UnauthorizedException",
       {"The SSO access token is not valid: it expired or the session was logged out.",
        "Log in again (atmos auth login)."}},
      {"ForbiddenException", {"The SSO user has no access to this account and role.", "Check the permission set assignments."}},
      {"InvalidClientException", {"The SSO OIDC client registration is not valid or has expired.", ""}},
      {"InvalidGrantException", {"The device code or refresh token is invalid, expired or already used.", ""}},
      {"AuthorizationPendingException", {"The device authorization has not been approved in the browser yet.", ""}},
      {"SlowDownException", {"The token endpoint asked to poll more slowly.", ""}},
      {"InvalidRequestException", {"AWS rejected the request as malformed.", ""}},
      {"UnauthorizedClientException", {"The SSO client is not allowed to use this grant type.", ""}},
      {"UnsupportedGrantTypeException", {"The SSO OIDC service does not support this grant type.", ""}},
      {"NoSuchBucket", {"The S3 bucket does not exist.", "Check the backend's bucket and region."}},
      {"ParameterNotFound", {"The SSM parameter does not exist.", ""}},
      {"AWSOrganizationsNotInUseException", {"The account is not a member of an organization.", ""}},
      {"RequestTimeTooSkewed",
       {"The system clock differs from AWS's by more than five minutes.", "Synchronise the system clock (NTP)."}},
  };
  auto it = kCodes.find(code);
  return it == kCodes.end() ? nullptr : &it->second;
}

bool throttling_code(std::string_view code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "TooManyRequestsException" ||
         code == "RequestLimitExceeded" || code == "ThrottledException" || code == "RequestThrottledException" ||
         code == "SlowDown";
}

std::string headline(const AwsErrorInfo& info) {
  std::string what = info.code;
  if (what.empty() && info.transport) {
    switch (*info.transport) {
      case TransportFailure::Connect: what = "connection failed"; break;
      case TransportFailure::Timeout: what = "timed out"; break;
      case TransportFailure::Reset: what = "connection reset"; break;
      case TransportFailure::Other: what = "request failed"; break;
      case TransportFailure::TooLarge: what = "answer too large"; break;
    }
  }
  if (what.empty()) what = fmt::format("HTTP {}", info.http_status);
  return fmt::format("could not {} ({} {}: {})", operation_phrase(info.operation), service_display_name(info.service),
                     info.operation, what);
}

std::string explain_failure(const AwsErrorInfo& info) {
  std::string text;
  if (info.transport) {
    text = fmt::format("{} {}: {}.", *info.transport == TransportFailure::TooLarge ? "Refused the answer of" : "No answer from",
                       info.endpoint, info.message);
  } else if (const CodeText* known = code_text(info.code)) {
    text = std::string(known->meaning);
  } else if (throttling_code(info.code) || info.http_status == 429) {
    text = "AWS is throttling requests.";
  } else if (info.http_status >= 500) {
    text = "AWS had an internal error.";
  }
  if (!info.transport && !info.message.empty()) {
    if (!text.empty()) text += "\n\n";
    text += "AWS said: " + info.message;
  }
  if (!text.empty()) text += "\n\n";
  if (info.http_status) text += fmt::format("HTTP {}, ", info.http_status);
  text += info.request_id.empty() ? std::string("no request ID") : "request ID " + info.request_id;
  text += fmt::format(", {} attempt{}.", info.attempts, info.attempts == 1 ? "" : "s");
  return text;
}

std::string child_text(const pugi::xml_node& node, const char* name) { return node.child_value(name); }

}  // namespace

AwsError::AwsError(AwsErrorInfo info) : Error(ErrorKind::Aws, headline(info)), info_(std::move(info)) {
  explain(explain_failure(info_));
  if (const CodeText* known = code_text(info_.code); known && !known->hint.empty()) hint(std::string(known->hint));
  if (info_.transport) {
    hint("Check the network, the proxy variables (HTTPS_PROXY, NO_PROXY) and any endpoint override "
         "(spec.endpoint_url, AWS_ENDPOINT_URL_*).");
  }
}

void parse_query_error(const HttpResponse& response, AwsErrorInfo& info) {
  info.request_id = std::string(response.headers.get("x-amzn-RequestId").value_or(""));
  std::string body = response.body;
  pugi::xml_document doc;
  if (doc.load_buffer_inplace(body.data(), body.size())) {
    pugi::xml_node root = doc.document_element();
    pugi::xml_node error = root.child("Error");
    if (!error) error = root.child("Errors").child("Error");
    if (!error && std::string_view(root.name()) == "Error") error = root;
    info.code = child_text(error, "Code");
    info.message = child_text(error, "Message");
    std::string id = child_text(root, "RequestId");
    if (id.empty()) id = child_text(root, "RequestID");
    if (!id.empty()) info.request_id = id;
  }
  wipe(body);
}

void parse_json_error(const HttpResponse& response, AwsErrorInfo& info) {
  info.request_id = std::string(response.headers.get("x-amzn-RequestId").value_or(""));
  std::string type(response.headers.get("x-amzn-ErrorType").value_or(""));
  info.code = type.substr(0, type.find(':'));
  std::string body = response.body;
  try {
    JsonResponse json(body);
    if (info.code.empty()) {
      std::string t = json.string("__type");
      info.code = t.substr(t.find('#') == std::string::npos ? 0 : t.find('#') + 1);
    }
    for (const char* name : {"code", "Code", "error"}) {
      if (info.code.empty()) info.code = json.string(name);
    }
    for (const char* name : {"message", "Message", "error_description"}) {
      if (info.message.empty()) info.message = json.string(name);
    }
  } catch (const std::runtime_error&) {
    // Not JSON (a proxy's HTML page, say): the status alone describes the failure.
  }
  wipe(body);
}

}  // namespace atmos::aws
