// The IAM Identity Center portal (REST-JSON, authorised by the SSO access token in the
// `x-amz-sso_bearer_token` header): ListAccounts, ListAccountRoles, GetRoleCredentials, Logout.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/service_client.hpp"

namespace atmos::aws {

struct SsoAccount {
  std::string account_id;
  std::string account_name;
  std::string email_address;
};

struct SsoRole {
  std::string role_name;
  std::string account_id;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // empty on the last page
};

// Thread-safe. Every call throws AwsError on failure.
class SsoClient {
 public:
  SsoClient(ClientContext context, ClientOptions options);

  // One page; `next_token` empty for the first, `max_results` unset for the service's default size.
  Page<SsoAccount> list_accounts_page(const Secret& access_token, const std::string& next_token = "",
                                      std::optional<int> max_results = std::nullopt);
  // Every page, following nextToken; `page_size` unset for the service's default size.
  std::vector<SsoAccount> list_accounts(const Secret& access_token, std::optional<int> page_size = std::nullopt);
  Page<SsoRole> list_account_roles_page(const Secret& access_token, const std::string& account_id,
                                        const std::string& next_token = "", std::optional<int> max_results = std::nullopt);
  std::vector<SsoRole> list_account_roles(const Secret& access_token, const std::string& account_id,
                                          std::optional<int> page_size = std::nullopt);
  // The role's temporary credentials; the expiration comes from the answer's milliseconds since the epoch.
  Credentials get_role_credentials(const Secret& access_token, const std::string& account_id, const std::string& role_name);
  void logout(const Secret& access_token);

  const ServiceClient& service() const { return client_; }

 private:
  HttpResponse get(std::string_view operation, std::string path, const Secret& access_token);
  ServiceClient client_;
};

}  // namespace atmos::aws
