#include "aws/sts.hpp"

#include <pugixml.hpp>

#include <charconv>

#include "aws/timestamp.hpp"
#include "aws/url.hpp"

namespace atmos::aws {
namespace {

constexpr std::string_view kVersion = "2011-06-15";

void add_optional(QueryParams& params, std::string name, const std::string& value) {
  if (!value.empty()) params.emplace_back(std::move(name), value);
}

void add_optional(QueryParams& params, std::string name, const std::optional<int>& value) {
  if (value) params.emplace_back(std::move(name), std::to_string(*value));
}

// The <ActionResult> element of an answer parsed in place in its body.
class XmlResult {
 public:
  XmlResult(const ServiceClient& client, std::string_view action, HttpResponse& response) {
    pugi::xml_parse_result parsed = doc_.load_buffer_inplace(response.body.data(), response.body.size());
    std::string result_name = std::string(action) + "Result";
    if (parsed) node_ = doc_.document_element().child(result_name.c_str());
    if (!node_) {
      throw client.malformed_response(action, response,
                                      parsed ? "no <" + result_name + "> element" : std::string("XML: ") + parsed.description());
    }
  }
  const pugi::xml_node& node() const { return node_; }

 private:
  pugi::xml_document doc_;
  pugi::xml_node node_;
};

std::string text(const pugi::xml_node& node, const char* name) { return node.child_value(name); }

Credentials read_credentials(const ServiceClient& client, std::string_view action, const HttpResponse& response,
                             const pugi::xml_node& result) {
  pugi::xml_node node = result.child("Credentials");
  Credentials credentials;
  credentials.access_key_id = text(node, "AccessKeyId");
  credentials.secret_access_key = Secret(text(node, "SecretAccessKey"));
  credentials.session_token = Secret(text(node, "SessionToken"));
  credentials.expiration = parse_iso8601(text(node, "Expiration"));
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() || !credentials.expiration) {
    throw client.malformed_response(action, response, "incomplete <Credentials>");
  }
  return credentials;
}

AssumedRoleUser read_assumed_role_user(const pugi::xml_node& result) {
  pugi::xml_node node = result.child("AssumedRoleUser");
  return {text(node, "Arn"), text(node, "AssumedRoleId")};
}

}  // namespace

StsClient::StsClient(ClientContext context, ClientOptions options) : client_(Service::Sts, context, std::move(options)) {}

HttpResponse StsClient::post(std::string_view action, QueryParams params, const Credentials* credentials) {
  params.insert(params.begin(), {{"Action", std::string(action)}, {"Version", std::string(kVersion)}});
  HttpRequest request;
  request.method = "POST";
  request.url = "/";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = encode_query(params);
  for (auto& param : params) wipe(param.second);
  return client_.call(action, std::move(request), credentials);
}

CallerIdentity StsClient::get_caller_identity(const Credentials& credentials) {
  HttpResponse response = post("GetCallerIdentity", {}, &credentials);
  XmlResult result(client_, "GetCallerIdentity", response);
  return {text(result.node(), "Account"), text(result.node(), "Arn"), text(result.node(), "UserId")};
}

AssumeRoleResult StsClient::assume_role(const Credentials& credentials, const AssumeRoleRequest& request) {
  QueryParams params{{"RoleArn", request.role_arn}, {"RoleSessionName", request.role_session_name}};
  add_optional(params, "DurationSeconds", request.duration_seconds);
  add_optional(params, "ExternalId", request.external_id);
  add_optional(params, "SerialNumber", request.serial_number);
  add_optional(params, "TokenCode", request.token_code);
  for (std::size_t i = 0; i < request.tags.size(); ++i) {
    std::string prefix = "Tags.member." + std::to_string(i + 1);
    params.emplace_back(prefix + ".Key", request.tags[i].key);
    params.emplace_back(prefix + ".Value", request.tags[i].value);
  }
  for (std::size_t i = 0; i < request.transitive_tag_keys.size(); ++i) {
    params.emplace_back("TransitiveTagKeys.member." + std::to_string(i + 1), request.transitive_tag_keys[i]);
  }
  add_optional(params, "SourceIdentity", request.source_identity);
  add_optional(params, "Policy", request.policy);
  HttpResponse response = post("AssumeRole", std::move(params), &credentials);
  XmlResult result(client_, "AssumeRole", response);
  AssumeRoleResult out;
  out.credentials = read_credentials(client_, "AssumeRole", response, result.node());
  out.assumed_role_user = read_assumed_role_user(result.node());
  out.source_identity = text(result.node(), "SourceIdentity");
  std::string packed = text(result.node(), "PackedPolicySize");
  int size = 0;
  if (!packed.empty() && std::from_chars(packed.data(), packed.data() + packed.size(), size).ec == std::errc()) {
    out.packed_policy_size = size;
  }
  return out;
}

AssumeRoleWithWebIdentityResult StsClient::assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest& request) {
  QueryParams params{{"RoleArn", request.role_arn},
                     {"RoleSessionName", request.role_session_name},
                     {"WebIdentityToken", request.web_identity_token.reveal()}};
  add_optional(params, "DurationSeconds", request.duration_seconds);
  add_optional(params, "ProviderId", request.provider_id);
  add_optional(params, "Policy", request.policy);
  HttpResponse response = post("AssumeRoleWithWebIdentity", std::move(params), nullptr);
  XmlResult result(client_, "AssumeRoleWithWebIdentity", response);
  AssumeRoleWithWebIdentityResult out;
  out.credentials = read_credentials(client_, "AssumeRoleWithWebIdentity", response, result.node());
  out.assumed_role_user = read_assumed_role_user(result.node());
  out.subject_from_web_identity_token = text(result.node(), "SubjectFromWebIdentityToken");
  out.audience = text(result.node(), "Audience");
  out.provider = text(result.node(), "Provider");
  out.source_identity = text(result.node(), "SourceIdentity");
  return out;
}

Credentials StsClient::assume_root(const Credentials& credentials, const AssumeRootRequest& request) {
  QueryParams params{{"TargetPrincipal", request.target_principal}, {"TaskPolicyArn.arn", request.task_policy_arn}};
  add_optional(params, "DurationSeconds", request.duration_seconds);
  HttpResponse response = post("AssumeRoot", std::move(params), &credentials);
  XmlResult result(client_, "AssumeRoot", response);
  return read_credentials(client_, "AssumeRoot", response, result.node());
}

Credentials StsClient::get_session_token(const Credentials& credentials, const GetSessionTokenRequest& request) {
  QueryParams params;
  add_optional(params, "DurationSeconds", request.duration_seconds);
  add_optional(params, "SerialNumber", request.serial_number);
  add_optional(params, "TokenCode", request.token_code);
  HttpResponse response = post("GetSessionToken", std::move(params), &credentials);
  XmlResult result(client_, "GetSessionToken", response);
  return read_credentials(client_, "GetSessionToken", response, result.node());
}

}  // namespace atmos::aws
