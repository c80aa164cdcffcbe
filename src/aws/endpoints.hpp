// Which URL each AWS service client talks to.
//
// Precedence, highest first: the provider's or identity's `spec.endpoint_url` (or a Terraform backend's
// `endpoints`), the service variable (AWS_ENDPOINT_URL_STS, _SSO, _SSO_OIDC, _SIGNIN, _S3, _SSM,
// _ORGANIZATIONS), AWS_ENDPOINT_URL, then the partition's regional default. Empty values count as unset; a trailing `/` is dropped.
#pragma once

#include <string>
#include <string_view>

#include "core/environment.hpp"

namespace atmos::aws {

enum class Service {
  Sts,      // query protocol (XML), SigV4 signing name "sts"
  Sso,      // IAM Identity Center portal, REST-JSON, bearer token
  SsoOidc,  // IAM Identity Center OIDC, REST-JSON, unsigned
  Signin,   // console federation (getSigninToken), unsigned
  S3,       // REST-XML, SigV4 signing name "s3" (state objects of the s3 backend)
  Ssm,      // JSON 1.1 (X-Amz-Target), SigV4 signing name "ssm" (Parameter Store)
  Organizations,  // JSON 1.1, SigV4 signing name "organizations", global endpoint in us-east-1
};

// "STS", "SSO", "SSO OIDC", "sign-in", "S3", "SSM", "Organizations": how messages name the service.
std::string_view service_display_name(Service service);
// "sts", "sso", "sso-oidc", "signin", "s3", "ssm", "organizations": the prefix of `<service>:<Operation>` in logs.
std::string_view service_id(Service service);

// "aws", "aws-cn" (cn-*) or "aws-us-gov" (us-gov-*).
std::string_view partition_of(std::string_view region);

// The partition's default endpoint for `region` (us-east-1 when empty): https://sts.<region>.amazonaws.com,
// https://portal.sso.<region>.amazonaws.com, https://oidc.<region>.amazonaws.com (`.amazonaws.com.cn` in
// China), https://s3.<region>.amazonaws.com, https://ssm.<region>.amazonaws.com,
// https://organizations.us-east-1.amazonaws.com, and for sign-in https://signin.aws.amazon.com (us-east-1) or https://<region>.signin.aws.amazon.com,
// https://signin.amazonaws-us-gov.com, https://signin.amazonaws.cn.
std::string default_endpoint(Service service, std::string_view region);

struct ResolvedEndpoint {
  std::string url;
  std::string source;  // "spec.endpoint_url", the variable's name, or "default"
};

ResolvedEndpoint resolve_endpoint(Service service, std::string_view region, std::string_view explicit_url,
                                  const Environment& env);

}  // namespace atmos::aws
