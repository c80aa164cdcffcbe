// AWS STS (query protocol: form-encoded POST, XML answers): GetCallerIdentity, AssumeRole,
// AssumeRoleWithWebIdentity (unsigned), AssumeRoot and GetSessionToken.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/service_client.hpp"
#include "aws/url.hpp"

namespace atmos::aws {

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

struct AssumedRoleUser {
  std::string arn;
  std::string assumed_role_id;
};

struct SessionTag {
  std::string key;
  std::string value;
};

// Empty strings and absent optionals are not sent.
struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::optional<int> duration_seconds;
  std::string external_id;
  std::string serial_number;  // MFA device ARN
  std::string token_code;     // the MFA device's current code
  std::vector<SessionTag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::string source_identity;
  std::string policy;  // inline session policy JSON
};

struct AssumeRoleResult {
  Credentials credentials;
  AssumedRoleUser assumed_role_user;
  std::string source_identity;
  std::optional<int> packed_policy_size;
};

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  Secret web_identity_token;
  std::optional<int> duration_seconds;
  std::string provider_id;
  std::string policy;
};

struct AssumeRoleWithWebIdentityResult {
  Credentials credentials;
  AssumedRoleUser assumed_role_user;
  std::string subject_from_web_identity_token;
  std::string audience;
  std::string provider;
  std::string source_identity;
};

// Centralized root access: short-term credentials for a member account's root user, scoped by one of the
// AWS-managed root-task policies.
struct AssumeRootRequest {
  std::string target_principal;  // member account id (or principal ARN)
  std::string task_policy_arn;   // arn:aws:iam::aws:policy/root-task/…
  std::optional<int> duration_seconds;  // 0..900
};

struct GetSessionTokenRequest {
  std::optional<int> duration_seconds;
  std::string serial_number;
  std::string token_code;
};

// Thread-safe. Every call throws AwsError on failure.
class StsClient {
 public:
  StsClient(ClientContext context, ClientOptions options);

  CallerIdentity get_caller_identity(const Credentials& credentials);
  AssumeRoleResult assume_role(const Credentials& credentials, const AssumeRoleRequest& request);
  // Unsigned: the web identity token is the credential.
  AssumeRoleWithWebIdentityResult assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest& request);
  Credentials assume_root(const Credentials& credentials, const AssumeRootRequest& request);
  Credentials get_session_token(const Credentials& credentials, const GetSessionTokenRequest& request);

  const ServiceClient& service() const { return client_; }

 private:
  HttpResponse post(std::string_view action, QueryParams params, const Credentials* credentials);
  ServiceClient client_;
};

}  // namespace atmos::aws
