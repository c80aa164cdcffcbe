// AWS Systems Manager Parameter Store (JSON 1.1 protocol: POST / with X-Amz-Target) for the
// `aws-ssm-parameter-store` store kind: GetParameter (decrypted) and PutParameter.
#pragma once

#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/service_client.hpp"

namespace atmos::aws {

// Thread-safe. Failures throw AwsError.
class SsmClient {
 public:
  SsmClient(ClientContext context, ClientOptions options);

  // The parameter's value (SecureString decrypted); nullopt when SSM answers ParameterNotFound.
  std::optional<std::string> get_parameter(const Credentials& credentials, const std::string& name);
  // Writes a String parameter, overwriting an existing one.
  void put_parameter(const Credentials& credentials, const std::string& name, const std::string& value);

 private:
  ServiceClient client_;
};

// AWS Organizations DescribeOrganization: the organization's id (o-…) of the caller's account.
class OrganizationsClient {
 public:
  OrganizationsClient(ClientContext context, ClientOptions options);
  std::string describe_organization_id(const Credentials& credentials);

 private:
  ServiceClient client_;
};

}  // namespace atmos::aws
