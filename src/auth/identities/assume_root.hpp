// Identity `aws/assume-root` (upstream pkg/auth/identities/aws/assume_root.go): centralized root access.
// With the previous step's AWS credentials (e.g. a RootAccess permission set in the management or
// delegated-administrator account) it calls sts:AssumeRoot for `principal.target_principal` (a 12-digit member
// account id) scoped by `principal.task_policy_arn`, one of the five AWS-managed root-task policies. The
// session lasts at most 900 seconds (`principal.duration`, longer values are capped with a warning).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/step.hpp"

namespace atmos::auth {

// The AWS-managed root-task policies AssumeRoot accepts.
const std::vector<std::string>& root_task_policies();
inline constexpr int kMaxAssumeRootSeconds = 900;

class AssumeRootIdentity final : public IdentityStep {
 public:
  // Throws Error(Auth, "invalid identity config") for a missing or malformed target or task policy.
  AssumeRootIdentity(const Identity& config, StepContext& context);
  Credentials authenticate(const Credentials& input, const AuthOptions& options) override;

 private:
  StepContext& context_;
  std::string name_;
  std::string target_;
  std::string task_policy_arn_;
  std::string region_;
  std::string endpoint_url_;
  std::optional<int> duration_;
};

// The problems of an aws/assume-root identity's `principal` (empty = valid), for `atmos auth validate`.
std::vector<std::string> assume_root_problems(const Identity& config);

}  // namespace atmos::auth
