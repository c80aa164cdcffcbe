#include "aws/endpoints.hpp"

#include <gtest/gtest.h>

namespace atmos::aws {
namespace {

TEST(Endpoints, RegionalDefaultsPerPartition) {
  EXPECT_EQ(default_endpoint(Service::Sts, "us-east-2"), "https://sts.us-east-2.amazonaws.com");
  EXPECT_EQ(default_endpoint(Service::Sts, ""), "https://sts.us-east-1.amazonaws.com");
  EXPECT_EQ(default_endpoint(Service::Sts, "cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(default_endpoint(Service::Sts, "us-gov-west-1"), "https://sts.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(default_endpoint(Service::Sso, "eu-west-1"), "https://portal.sso.eu-west-1.amazonaws.com");
  EXPECT_EQ(default_endpoint(Service::Sso, "cn-northwest-1"), "https://portal.sso.cn-northwest-1.amazonaws.com.cn");
  EXPECT_EQ(default_endpoint(Service::SsoOidc, "ap-southeast-2"), "https://oidc.ap-southeast-2.amazonaws.com");
  EXPECT_EQ(default_endpoint(Service::SsoOidc, "us-gov-east-1"), "https://oidc.us-gov-east-1.amazonaws.com");
  EXPECT_EQ(default_endpoint(Service::Signin, "us-east-1"), "https://signin.aws.amazon.com");
  EXPECT_EQ(default_endpoint(Service::Signin, ""), "https://signin.aws.amazon.com");
  EXPECT_EQ(default_endpoint(Service::Signin, "eu-central-1"), "https://eu-central-1.signin.aws.amazon.com");
  EXPECT_EQ(default_endpoint(Service::Signin, "us-gov-west-1"), "https://signin.amazonaws-us-gov.com");
  EXPECT_EQ(default_endpoint(Service::Signin, "cn-north-1"), "https://signin.amazonaws.cn");
}

TEST(Endpoints, PartitionOfRegion) {
  EXPECT_EQ(partition_of("us-east-1"), "aws");
  EXPECT_EQ(partition_of("cn-north-1"), "aws-cn");
  EXPECT_EQ(partition_of("us-gov-west-1"), "aws-us-gov");
}

TEST(Endpoints, SpecEndpointUrlBeatsServiceVariableBeatsGlobalVariableBeatsDefault) {
  MapEnvironment env({{"AWS_ENDPOINT_URL_STS", "http://sts.local:1/"}, {"AWS_ENDPOINT_URL", "http://all.local:2"}});
  EXPECT_EQ(resolve_endpoint(Service::Sts, "us-east-1", "http://spec.local:3/", env).url, "http://spec.local:3");
  EXPECT_EQ(resolve_endpoint(Service::Sts, "us-east-1", "http://spec.local:3/", env).source, "spec.endpoint_url");
  EXPECT_EQ(resolve_endpoint(Service::Sts, "us-east-1", "", env).url, "http://sts.local:1");
  EXPECT_EQ(resolve_endpoint(Service::Sts, "us-east-1", "", env).source, "AWS_ENDPOINT_URL_STS");
  EXPECT_EQ(resolve_endpoint(Service::SsoOidc, "us-east-1", "", env).url, "http://all.local:2");
  MapEnvironment none;
  EXPECT_EQ(resolve_endpoint(Service::SsoOidc, "eu-west-1", "", none).url, "https://oidc.eu-west-1.amazonaws.com");
  EXPECT_EQ(resolve_endpoint(Service::SsoOidc, "eu-west-1", "", none).source, "default");
}

TEST(Endpoints, EachServiceHasItsOwnVariable) {
  MapEnvironment env({{"AWS_ENDPOINT_URL_SSO", "http://portal"},
                      {"AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc"},
                      {"AWS_ENDPOINT_URL_SIGNIN", "http://signin"},
                      {"AWS_ENDPOINT_URL_STS", "http://sts"}});
  EXPECT_EQ(resolve_endpoint(Service::Sso, "", "", env).url, "http://portal");
  EXPECT_EQ(resolve_endpoint(Service::SsoOidc, "", "", env).url, "http://oidc");
  EXPECT_EQ(resolve_endpoint(Service::Signin, "", "", env).url, "http://signin");
  EXPECT_EQ(resolve_endpoint(Service::Sts, "", "", env).url, "http://sts");
}

TEST(Endpoints, EmptyVariablesCountAsUnset) {
  MapEnvironment env({{"AWS_ENDPOINT_URL_STS", ""}, {"AWS_ENDPOINT_URL", ""}});
  EXPECT_EQ(resolve_endpoint(Service::Sts, "eu-west-1", "", env).url, "https://sts.eu-west-1.amazonaws.com");
}

}  // namespace
}  // namespace atmos::aws
