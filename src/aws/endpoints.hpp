// Which URL each AWS service client talks to.
//
// Precedence, highest first: the provider's or identity's `spec.endpoint_url` (explicit per-provider
// intent), the service variable (AWS_ENDPOINT_URL_STS, _SSO, _SSO_OIDC, _SIGNIN), AWS_ENDPOINT_URL, then the
// partition's regional default. Empty values count as unset; a trailing `/` is dropped.
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
};

// "STS", "SSO", "SSO OIDC", "sign-in": how messages name the service.
std::string_view service_display_name(Service service);
// "sts", "sso", "sso-oidc", "signin": the prefix of `<service>:<Operation>` in logs.
std::string_view service_id(Service service);

// "aws", "aws-cn" (cn-*) or "aws-us-gov" (us-gov-*).
std::string_view partition_of(std::string_view region);

// The partition's default endpoint for `region` (us-east-1 when empty): https://sts.<region>.amazonaws.com,
// https://portal.sso.<region>.amazonaws.com, https://oidc.<region>.amazonaws.com (`.amazonaws.com.cn` in
// China), and for sign-in https://signin.aws.amazon.com (us-east-1) or https://<region>.signin.aws.amazon.com,
// https://signin.amazonaws-us-gov.com, https://signin.amazonaws.cn.
std::string default_endpoint(Service service, std::string_view region);

struct ResolvedEndpoint {
  std::string url;
  std::string source;  // "spec.endpoint_url", the variable's name, or "default"
};

ResolvedEndpoint resolve_endpoint(Service service, std::string_view region, std::string_view explicit_url,
                                  const Environment& env);

}  // namespace atmos::aws
