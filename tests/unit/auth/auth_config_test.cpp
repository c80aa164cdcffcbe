#include "auth/auth_config.hpp"

#include <gtest/gtest.h>

#include "auth/identities/assume_root.hpp"
#include "core/error.hpp"
#include "core/yaml_load.hpp"

using atmos::parse_yaml;
using namespace atmos::auth;

namespace {

std::string all(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace

TEST(AuthConfig, ChainsRunFromRootToTarget) {
  AuthConfig cfg = AuthConfig::from(parse_yaml(R"(
providers:
  acme-sso: {kind: aws/iam-identity-center, start_url: https://x, region: us-east-2}
identities:
  core-root/admin: {kind: aws/permission-set, via: {provider: acme-sso}, principal: {name: Admin, account: {id: '1'}}}
  plat-dev/terraform: {kind: aws/assume-role, via: {identity: core-root/admin}, principal: {assume_role: arn}}
  superadmin: {kind: aws/user}
  plat-dev/org-access: {kind: aws/assume-role, via: {identity: superadmin}, principal: {assume_role: arn}}
)"));
  EXPECT_EQ(cfg.chain("PLAT-DEV/terraform"), (std::vector<std::string>{"acme-sso", "core-root/admin", "plat-dev/terraform"}));
  EXPECT_EQ(cfg.chain("plat-dev/org-access"), (std::vector<std::string>{"superadmin", "plat-dev/org-access"}));
  EXPECT_EQ(cfg.chain("superadmin"), (std::vector<std::string>{"superadmin"}));
  EXPECT_TRUE(cfg.validate().empty()) << all(cfg.validate());
}

TEST(AuthConfig, CycleIsPrinted) {
  AuthConfig cfg = AuthConfig::from(parse_yaml(R"(
identities:
  a: {kind: aws/assume-role, via: {identity: b}, principal: {assume_role: arn}}
  b: {kind: aws/assume-role, via: {identity: a}, principal: {assume_role: arn}}
)"));
  try {
    cfg.chain("a");
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "circular dependency detected in identity chain");
    EXPECT_NE(e.explanation().find("a -> b -> a"), std::string::npos) << e.explanation();
  }
  EXPECT_NE(all(cfg.validate()).find("identity `a`: identity cycle detected"), std::string::npos);
}

TEST(AuthConfig, ValidateReportsKindsFieldsReferencesDurationsAndRealm) {
  AuthConfig cfg = AuthConfig::from(parse_yaml(R"(
realm: Bad--Realm
providers:
  sso: {kind: aws/iam-identity-centre}
  sso2: {kind: aws/iam-identity-center}
identities:
  p: {kind: aws/permission-set, via: {provider: nope}}
  r: {kind: aws/assume-role, via: {identity: ghost}, principal: {assume_role: arn, duration: 2 hours}}
  u: {kind: aws/user, credentials: {access_key_id: AKIA}}
  x: {kind: aws/assume-rol, via: {provider: sso2}}
  numeric: {kind: aws/permission-set, via: {provider: sso2}, principal: {name: PS, account: {id: 123456789012}}}
)"));
  std::string problems = all(cfg.validate());
  EXPECT_NE(problems.find("provider `sso`: unsupported provider kind `aws/iam-identity-centre` (did you mean aws/iam-identity-center?)"), std::string::npos) << problems;
  EXPECT_NE(problems.find("provider `sso2`: `start_url` is required for AWS SSO provider"), std::string::npos);
  EXPECT_NE(problems.find("identity `p`: `via.provider` references unknown provider `nope`"), std::string::npos);
  EXPECT_NE(problems.find("identity `p`: `principal.name` (the permission set) is required"), std::string::npos);
  EXPECT_NE(problems.find("identity `r`: `via.identity` references unknown identity `ghost`"), std::string::npos);
  EXPECT_NE(problems.find("identity `r`: invalid `principal.duration` `2 hours`"), std::string::npos);
  EXPECT_NE(problems.find("identity `u`: `credentials.access_key_id` and `credentials.secret_access_key` must be set together"), std::string::npos);
  EXPECT_NE(problems.find("identity `x`: unsupported identity kind `aws/assume-rol` (did you mean aws/assume-role?)"), std::string::npos);
  EXPECT_EQ(problems.find("identity `numeric`"), std::string::npos) << "a numeric account id is accepted";
  EXPECT_NE(problems.find("invalid realm value `Bad--Realm`"), std::string::npos);
}

TEST(AuthConfig, GoDurations) {
  EXPECT_EQ(parse_go_duration_seconds("1h"), 3600);
  EXPECT_EQ(parse_go_duration_seconds("1h30m"), 5400);
  EXPECT_EQ(parse_go_duration_seconds("900s"), 900);
  EXPECT_EQ(parse_go_duration_seconds("1.5h"), 5400);
  EXPECT_FALSE(parse_go_duration_seconds("1 hour"));
  EXPECT_FALSE(parse_go_duration_seconds("60"));
}

TEST(AuthConfig, DefaultOnlyEntriesAreMarkersNotIdentities) {
  AuthConfig cfg = AuthConfig::from(parse_yaml("identities:\n  plat-dev/terraform: {default: true}\n"));
  EXPECT_EQ(cfg.find_identity("plat-dev/terraform"), nullptr);
  EXPECT_TRUE(cfg.empty());
}

TEST(AuthConfig, AssumeRootNeedsAMemberAccountAndARootTaskPolicy) {
  AuthConfig cfg = AuthConfig::from(parse_yaml(R"(
providers:
  sso: {kind: aws/iam-identity-center, start_url: https://x, region: us-east-1}
identities:
  admin: {kind: aws/permission-set, via: {provider: sso}, principal: {name: RootAccess, account: {name: core-identity}}}
  good: {kind: aws/assume-root, via: {identity: admin}, principal: {target_principal: '222222222222', task_policy_arn: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy'}}
  empty: {kind: aws/assume-root, via: {identity: admin}}
  bad: {kind: aws/assume-root, via: {identity: admin}, principal: {target_principal: '2222', task_policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess'}}
)"));
  EXPECT_EQ(cfg.chain("good"), (std::vector<std::string>{"sso", "admin", "good"}));
  std::string problems = all(cfg.validate());
  EXPECT_EQ(problems.find("identity `good`"), std::string::npos) << problems;
  EXPECT_NE(problems.find("identity `empty`: `principal.target_principal` (the 12-digit member account id) is required"), std::string::npos) << problems;
  EXPECT_NE(problems.find("identity `empty`: `principal.task_policy_arn` is required; supported policies: "
                          "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials, "),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find("identity `bad`: `principal.target_principal` must be a 12-digit AWS account id, not `2222`"), std::string::npos);
  EXPECT_NE(problems.find("identity `bad`: `principal.task_policy_arn` must be an AWS-managed root-task policy "
                          "(arn:aws:iam::aws:policy/root-task/…), not `arn:aws:iam::aws:policy/AdministratorAccess`"),
            std::string::npos);
  EXPECT_EQ(root_task_policies().size(), 5u);
}
