#include "aws/ssm.hpp"

#include <stdexcept>

#include "aws/json_wire.hpp"

namespace atmos::aws {
namespace {

HttpRequest json11_request(std::string_view target, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = "/";
  request.headers.set("Content-Type", "application/x-amz-json-1.1");
  request.headers.set("X-Amz-Target", std::string(target));
  request.body = std::move(body);
  return request;
}

}  // namespace

SsmClient::SsmClient(ClientContext context, ClientOptions options) : client_(Service::Ssm, context, std::move(options)) {}

std::optional<std::string> SsmClient::get_parameter(const Credentials& credentials, const std::string& name) {
  JsonObjectWriter body;
  body.string("Name", name);
  std::string text = body.finish();
  text.insert(text.size() - 1, ",\"WithDecryption\":true");
  HttpResponse response;
  try {
    response = client_.call("GetParameter", json11_request("AmazonSSM.GetParameter", std::move(text)), &credentials);
  } catch (const AwsError& e) {
    if (e.code() == "ParameterNotFound") return std::nullopt;
    throw;
  }
  std::optional<std::string> value;
  try {
    JsonResponse json(response.body);
    const rapidjson::Value* parameter = JsonResponse::member(json.root(), "Parameter");
    if (parameter && parameter->IsObject() && JsonResponse::member(*parameter, "Value"))
      value = JsonResponse::string_in(*parameter, "Value");
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("GetParameter", response, e.what());
  }
  if (!value) throw client_.malformed_response("GetParameter", response, "no Parameter.Value in the answer");
  return value;
}

void SsmClient::put_parameter(const Credentials& credentials, const std::string& name, const std::string& value) {
  JsonObjectWriter body;
  body.string("Name", name).string("Value", value).string("Type", "String");
  std::string text = body.finish();
  text.insert(text.size() - 1, ",\"Overwrite\":true");
  client_.call("PutParameter", json11_request("AmazonSSM.PutParameter", std::move(text)), &credentials);
}

OrganizationsClient::OrganizationsClient(ClientContext context, ClientOptions options)
    : client_(Service::Organizations, context, std::move(options)) {}

std::string OrganizationsClient::describe_organization_id(const Credentials& credentials) {
  HttpResponse response = client_.call(
      "DescribeOrganization", json11_request("AWSOrganizationsV20161128.DescribeOrganization", "{}"), &credentials);
  std::string id;
  try {
    JsonResponse json(response.body);
    const rapidjson::Value* org = JsonResponse::member(json.root(), "Organization");
    if (org && org->IsObject()) id = JsonResponse::string_in(*org, "Id");
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("DescribeOrganization", response, e.what());
  }
  if (id.empty()) throw client_.malformed_response("DescribeOrganization", response, "no Organization.Id in the answer");
  return id;
}

}  // namespace atmos::aws
