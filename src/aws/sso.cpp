#include "aws/sso.hpp"

#include <stdexcept>

#include "aws/json_wire.hpp"
#include "aws/url.hpp"

namespace atmos::aws {
namespace {

constexpr const char* kBearerHeader = "x-amz-sso_bearer_token";

std::string with_query(std::string path, const QueryParams& params) {
  if (!params.empty()) path += "?" + encode_query(params);
  return path;
}

void add_paging(QueryParams& params, const std::string& next_token, std::optional<int> max_results) {
  if (max_results) params.emplace_back("max_result", std::to_string(*max_results));
  if (!next_token.empty()) params.emplace_back("next_token", next_token);
}

const rapidjson::Value& list_member(const JsonResponse& json, std::string_view name) {
  const rapidjson::Value* list = JsonResponse::member(json.root(), name);
  if (!list || !list->IsArray()) throw std::runtime_error("no " + std::string(name) + " array");
  return *list;
}

}  // namespace

SsoClient::SsoClient(ClientContext context, ClientOptions options) : client_(Service::Sso, context, std::move(options)) {}

HttpResponse SsoClient::get(std::string_view operation, std::string path, const Secret& access_token) {
  HttpRequest request;
  request.method = "GET";
  request.url = std::move(path);
  request.headers.add(kBearerHeader, access_token.reveal());
  return client_.call(operation, std::move(request));
}

Page<SsoAccount> SsoClient::list_accounts_page(const Secret& access_token, const std::string& next_token,
                                               std::optional<int> max_results) {
  QueryParams params;
  add_paging(params, next_token, max_results);
  HttpResponse response = get("ListAccounts", with_query("/assignment/accounts", params), access_token);
  try {
    JsonResponse json(response.body);
    Page<SsoAccount> page;
    for (const auto& item : list_member(json, "accountList").GetArray()) {
      page.items.push_back({JsonResponse::string_in(item, "accountId"), JsonResponse::string_in(item, "accountName"),
                            JsonResponse::string_in(item, "emailAddress")});
    }
    page.next_token = json.string("nextToken");
    return page;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("ListAccounts", response, e.what());
  }
}

std::vector<SsoAccount> SsoClient::list_accounts(const Secret& access_token, std::optional<int> page_size) {
  std::vector<SsoAccount> accounts;
  std::string token;
  do {
    Page<SsoAccount> page = list_accounts_page(access_token, token, page_size);
    accounts.insert(accounts.end(), page.items.begin(), page.items.end());
    token = std::move(page.next_token);
  } while (!token.empty());
  return accounts;
}

Page<SsoRole> SsoClient::list_account_roles_page(const Secret& access_token, const std::string& account_id,
                                                 const std::string& next_token, std::optional<int> max_results) {
  QueryParams params{{"account_id", account_id}};
  add_paging(params, next_token, max_results);
  HttpResponse response = get("ListAccountRoles", with_query("/assignment/roles", params), access_token);
  try {
    JsonResponse json(response.body);
    Page<SsoRole> page;
    for (const auto& item : list_member(json, "roleList").GetArray()) {
      page.items.push_back({JsonResponse::string_in(item, "roleName"), JsonResponse::string_in(item, "accountId")});
    }
    page.next_token = json.string("nextToken");
    return page;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("ListAccountRoles", response, e.what());
  }
}

std::vector<SsoRole> SsoClient::list_account_roles(const Secret& access_token, const std::string& account_id,
                                                   std::optional<int> page_size) {
  std::vector<SsoRole> roles;
  std::string token;
  do {
    Page<SsoRole> page = list_account_roles_page(access_token, account_id, token, page_size);
    roles.insert(roles.end(), page.items.begin(), page.items.end());
    token = std::move(page.next_token);
  } while (!token.empty());
  return roles;
}

Credentials SsoClient::get_role_credentials(const Secret& access_token, const std::string& account_id,
                                            const std::string& role_name) {
  QueryParams params{{"account_id", account_id}, {"role_name", role_name}};
  HttpResponse response = get("GetRoleCredentials", with_query("/federation/credentials", params), access_token);
  try {
    JsonResponse json(response.body);
    const rapidjson::Value* role = JsonResponse::member(json.root(), "roleCredentials");
    if (!role || !role->IsObject()) throw std::runtime_error("no roleCredentials object");
    Credentials credentials;
    credentials.access_key_id = JsonResponse::string_in(*role, "accessKeyId");
    credentials.secret_access_key = Secret(JsonResponse::string_in(*role, "secretAccessKey"));
    credentials.session_token = Secret(JsonResponse::string_in(*role, "sessionToken"));
    auto expiration_ms = JsonResponse::integer_in(*role, "expiration");
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() || !expiration_ms) {
      throw std::runtime_error("incomplete roleCredentials");
    }
    credentials.expiration = TimePoint(std::chrono::milliseconds(*expiration_ms));
    return credentials;
  } catch (const std::runtime_error& e) {
    throw client_.malformed_response("GetRoleCredentials", response, e.what());
  }
}

void SsoClient::logout(const Secret& access_token) {
  HttpRequest request;
  request.method = "POST";
  request.url = "/logout";
  request.headers.add(kBearerHeader, access_token.reveal());
  client_.call("Logout", std::move(request));
}

}  // namespace atmos::aws
