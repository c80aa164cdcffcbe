#include "auth/console.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "aws/errors.hpp"
#include "aws/signin.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/suggest.hpp"

namespace atmos::auth {
namespace {

// Alias → path under https://console.aws.amazon.com/.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"acm", "acm"},
      {"apigateway", "apigateway"},
      {"athena", "athena"},
      {"backup", "backup"},
      {"billing", "billing"},
      {"cloudformation", "cloudformation"},
      {"cloudfront", "cloudfront"},
      {"cloudtrail", "cloudtrail"},
      {"cloudwatch", "cloudwatch"},
      {"codebuild", "codebuild"},
      {"codepipeline", "codepipeline"},
      {"config", "config"},
      {"console", "console/home"},
      {"cost-explorer", "cost-management/home#/cost-explorer"},
      {"dashboard", "console/home"},
      {"dynamodb", "dynamodb"},
      {"ec2", "ec2"},
      {"ecr", "ecr"},
      {"ecs", "ecs"},
      {"efs", "efs"},
      {"eks", "eks"},
      {"elasticache", "elasticache"},
      {"eventbridge", "events"},
      {"guardduty", "guardduty"},
      {"home", "console/home"},
      {"iam", "iam"},
      {"kms", "kms"},
      {"lambda", "lambda"},
      {"organizations", "organizations"},
      {"rds", "rds"},
      {"route53", "route53"},
      {"s3", "s3"},
      {"secretsmanager", "secretsmanager"},
      {"securityhub", "securityhub"},
      {"sns", "sns"},
      {"sqs", "sqs"},
      {"sso", "singlesignon"},
      {"ssm", "systems-manager"},
      {"step-functions", "states"},
      {"vpc", "vpc"},
  };
  return kAliases;
}

}  // namespace

std::vector<std::string> console_aliases() {
  std::vector<std::string> out;
  for (const auto& [alias, path] : aliases()) out.push_back(alias);
  return out;
}

std::string console_destination(std::string_view destination) {
  if (destination.empty()) return kConsoleHome;
  if (destination.rfind("http://", 0) == 0 || destination.rfind("https://", 0) == 0) return std::string(destination);
  std::string alias(destination);
  std::transform(alias.begin(), alias.end(), alias.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  auto it = aliases().find(alias);
  if (it != aliases().end()) return kConsoleHome + it->second;
  Error e(ErrorKind::Usage, "unknown console destination: " + std::string(destination));
  e.explain("Use a full URL (https://…) or a service alias such as s3, ec2 or cloudformation.");
  auto near = closest_names(alias, console_aliases(), 3);
  if (!near.empty()) {
    std::string names;
    for (const auto& n : near) names += (names.empty() ? "" : ", ") + n;
    e.hint("Did you mean " + names + "?");
  }
  throw e;
}

std::chrono::seconds clamp_console_duration(std::chrono::seconds requested) {
  return std::clamp(requested, std::chrono::seconds(15 * 60), std::chrono::seconds(12 * 3600));
}

Secret console_signin_url(World& world, const aws::Credentials& credentials, const std::string& region, const std::string& issuer,
                          const std::string& destination) {
  if (credentials.session_token.empty())
    throw Error(ErrorKind::Auth, "console access needs a role session")
        .explain("The identity's credentials are long-lived keys; the AWS console federation only accepts temporary role credentials.")
        .hint("Use an identity that assumes a role or a permission set");
  aws::SigninClient signin({world.transport, world.clock, world.env}, {region, "", {}, {}});
  log::debug("Requesting console sign-in token endpoint={}", signin.service().endpoint());
  try {
    Secret token = signin.get_signin_token(credentials);
    return signin.login_url(token, issuer, destination);
  } catch (const aws::AwsError& e) {
    throw Error(ErrorKind::Auth, "failed to generate console URL")
        .explain("The console federation endpoint " + e.info().endpoint + " refused the role session: " + e.message() + "\n" + e.explanation())
        .hint("Run `atmos auth login` for the identity and try again");
  }
}

}  // namespace atmos::auth
