#include "aws/endpoints.hpp"

namespace atmos::aws {
namespace {

std::string_view env_variable(Service service) {
  switch (service) {
    case Service::Sts: return "AWS_ENDPOINT_URL_STS";
    case Service::Sso: return "AWS_ENDPOINT_URL_SSO";
    case Service::SsoOidc: return "AWS_ENDPOINT_URL_SSO_OIDC";
    case Service::Signin: return "AWS_ENDPOINT_URL_SIGNIN";
    case Service::S3: return "AWS_ENDPOINT_URL_S3";
    case Service::Ssm: return "AWS_ENDPOINT_URL_SSM";
    case Service::Organizations: return "AWS_ENDPOINT_URL_ORGANIZATIONS";
  }
  return "";
}

std::string without_trailing_slash(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace

std::string_view service_display_name(Service service) {
  switch (service) {
    case Service::Sts: return "STS";
    case Service::Sso: return "SSO";
    case Service::SsoOidc: return "SSO OIDC";
    case Service::Signin: return "sign-in";
    case Service::S3: return "S3";
    case Service::Ssm: return "SSM";
    case Service::Organizations: return "Organizations";
  }
  return "";
}

std::string_view service_id(Service service) {
  switch (service) {
    case Service::Sts: return "sts";
    case Service::Sso: return "sso";
    case Service::SsoOidc: return "sso-oidc";
    case Service::Signin: return "signin";
    case Service::S3: return "s3";
    case Service::Ssm: return "ssm";
    case Service::Organizations: return "organizations";
  }
  return "";
}

std::string_view partition_of(std::string_view region) {
  if (region.substr(0, 3) == "cn-") return "aws-cn";
  if (region.substr(0, 7) == "us-gov-") return "aws-us-gov";
  return "aws";
}

std::string default_endpoint(Service service, std::string_view region_name) {
  std::string region(region_name.empty() ? "us-east-1" : region_name);
  std::string_view partition = partition_of(region);
  std::string suffix = partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  switch (service) {
    case Service::Sts: return "https://sts." + region + "." + suffix;
    case Service::Sso: return "https://portal.sso." + region + "." + suffix;
    case Service::SsoOidc: return "https://oidc." + region + "." + suffix;
    case Service::S3: return "https://s3." + region + "." + suffix;
    case Service::Ssm: return "https://ssm." + region + "." + suffix;
    case Service::Organizations:
      if (partition == "aws-cn") return "https://organizations.cn-northwest-1.amazonaws.com.cn";
      if (partition == "aws-us-gov") return "https://organizations.us-gov-west-1.amazonaws.com";
      return "https://organizations.us-east-1.amazonaws.com";
    case Service::Signin:
      if (partition == "aws-cn") return "https://signin.amazonaws.cn";
      if (partition == "aws-us-gov") return "https://signin.amazonaws-us-gov.com";
      if (region == "us-east-1") return "https://signin.aws.amazon.com";
      return "https://" + region + ".signin.aws.amazon.com";
  }
  return "";
}

ResolvedEndpoint resolve_endpoint(Service service, std::string_view region, std::string_view explicit_url,
                                  const Environment& env) {
  if (!explicit_url.empty()) return {without_trailing_slash(explicit_url), "spec.endpoint_url"};
  for (std::string_view name : {env_variable(service), std::string_view("AWS_ENDPOINT_URL")}) {
    if (auto value = env.get(name); value && !value->empty()) return {without_trailing_slash(*value), std::string(name)};
  }
  return {default_endpoint(service, region), "default"};
}

}  // namespace atmos::aws
