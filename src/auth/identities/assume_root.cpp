#include "auth/identities/assume_root.hpp"

#include <regex>

#include "aws/errors.hpp"
#include "aws/sts.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr std::string_view kTaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/";

std::string supported_list() {
  std::string out;
  for (const auto& p : root_task_policies()) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

const std::vector<std::string>& root_task_policies() {
  static const std::vector<std::string> kPolicies = {
      "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
      "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword",
      "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
      "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
      "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy",
  };
  return kPolicies;
}

std::vector<std::string> assume_root_problems(const Identity& config) {
  std::vector<std::string> problems;
  std::string where = "identity `" + config.name + "`";
  std::string target = config.str({"principal", "target_principal"});
  static const std::regex account(R"(^\d{12}$)");
  if (target.empty())
    problems.push_back(where + ": `principal.target_principal` (the 12-digit member account id) is required");
  else if (!std::regex_match(target, account))
    problems.push_back(where + ": `principal.target_principal` must be a 12-digit AWS account id, not `" + target + "`");
  std::string policy = config.str({"principal", "task_policy_arn"});
  if (policy.empty())
    problems.push_back(where + ": `principal.task_policy_arn` is required; supported policies: " + supported_list());
  else if (policy.rfind(kTaskPolicyPrefix, 0) != 0)
    problems.push_back(where + ": `principal.task_policy_arn` must be an AWS-managed root-task policy (" + std::string(kTaskPolicyPrefix) +
                       "…), not `" + policy + "`");
  return problems;
}

AssumeRootIdentity::AssumeRootIdentity(const Identity& config, StepContext& context)
    : context_(context),
      name_(config.name),
      target_(config.str({"principal", "target_principal"})),
      task_policy_arn_(config.str({"principal", "task_policy_arn"})),
      region_(config.str({"principal", "region"})),
      endpoint_url_(config.str({"spec", "endpoint_url"})) {
  std::vector<std::string> problems = assume_root_problems(config);
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p;
    throw Error(ErrorKind::Auth, "invalid identity config", 2)
        .explain(text)
        .hint("Example: principal: { target_principal: '123456789012', task_policy_arn: " + root_task_policies().front() + " }");
  }
  std::string duration = config.str({"principal", "duration"});
  if (!duration.empty()) {
    if (auto seconds = parse_go_duration_seconds(duration)) {
      duration_ = static_cast<int>(std::min<long long>(*seconds, kMaxAssumeRootSeconds));
      if (*seconds > kMaxAssumeRootSeconds)
        log::warn("Duration exceeds maximum for AssumeRoot (900s), using maximum duration={}", duration);
    } else {
      log::warn("Invalid duration specified for assume root identity={} duration={}", name_, duration);
    }
  }
}

Credentials AssumeRootIdentity::authenticate(const Credentials& input, const AuthOptions&) {
  if (input.kind != CredentialKind::Aws)
    throw Error(ErrorKind::Auth, "invalid identity config", 2)
        .explain("Invalid credentials type for assume-root identity '" + name_ + "'")
        .hint("Base credentials must be AWS credentials from a permission set or assume-role identity");
  std::string region = !region_.empty() ? region_ : !input.region.empty() ? input.region : "us-east-1";
  aws::StsClient sts({context_.world.transport, context_.world.clock, context_.world.env}, {region, endpoint_url_, {}, {}});
  log::debug("Assuming root target_principal={} task_policy_arn={}", target_, task_policy_arn_);
  Credentials out;
  out.region = region;
  try {
    out.aws = sts.assume_root(input.aws, {target_, task_policy_arn_, duration_});
  } catch (const aws::AwsError& e) {
    log::debug("AssumeRoot failed target_principal={} code={}", target_, e.code());
    throw Error(ErrorKind::Auth, "authentication failed")
        .explain("Failed to assume root on account '" + target_ + "' for identity `" + name_ + "`: " + e.message() +
                 (e.explanation().empty() ? "" : "\n" + e.explanation()))
        .hint("Verify the target account is a member of your organization")
        .hint("Ensure centralized root access is enabled for the target account")
        .hint("Check that your permission set has sts:AssumeRoot permission")
        .hint("Using task policy: " + task_policy_arn_);
  }
  out.expiration = out.aws.expiration;
  log::debug("Chained identity to={} expiration={}", name_, out.expiration ? aws::format_iso8601(*out.expiration) : "none");
  return out;
}

}  // namespace atmos::auth
