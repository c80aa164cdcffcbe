#include "auth/identities/permission_set.hpp"

#include "aws/sso.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace atmos::auth {

PermissionSetIdentity::PermissionSetIdentity(const Identity& config, StepContext& context)
    : context_(context),
      name_(config.name),
      permission_set_(config.str({"principal", "name"})),
      account_name_(config.str({"principal", "account", "name"})),
      endpoint_url_(config.str({"spec", "endpoint_url"})) {
  Value id = config.raw.at({"principal", "account", "id"});
  // A numeric account id is accepted (docs/auth.md#deliberate-differences-from-upstream, item 5); leading zeros need quotes in YAML.
  if (id.is_string()) account_id_ = id.as_string();
  if (id.is_number()) account_id_ = std::to_string(id.as_int());
  if (permission_set_.empty())
    throw Error(ErrorKind::Auth, "invalid identity config").explain("identity=" + name_ + ": `principal.name` (the permission set) is required");
  if (account_id_.empty() && account_name_.empty())
    throw Error(ErrorKind::Auth, "invalid identity config")
        .explain("identity=" + name_ + ": `principal.account.id` or `principal.account.name` is required");
}

Credentials PermissionSetIdentity::authenticate(const Credentials& input, const AuthOptions&) {
  if (input.kind != CredentialKind::SsoToken)
    throw Error(ErrorKind::Auth, "invalid identity config", 2)
        .explain("Identity `" + name_ + "` (aws/permission-set) must be reached through an aws/iam-identity-center provider.");
  log::debug("Permission set authentication started. identity={}", name_);
  aws::SsoClient sso({context_.world.transport, context_.world.clock, context_.world.env}, {input.region, endpoint_url_, {}, {}});
  std::string account = account_id_;
  if (account.empty()) {
    auto accounts = sso.list_accounts(input.token);
    log::debug("Listed SSO accounts count={}", accounts.size());
    for (const auto& a : accounts)
      if (a.account_name == account_name_) account = a.account_id;
    if (account.empty())
      throw Error(ErrorKind::Auth, "authentication failed")
          .explain("identity=" + name_ + ": account \"" + account_name_ + "\" is not among the accounts your IAM Identity Center user can access.")
          .hint("Check `principal.account.name`, or sign in as a user assigned to that account");
  }
  log::debug("Getting role credentials identity={} account={} permission_set={}", name_, account, permission_set_);
  Credentials out;
  out.aws = sso.get_role_credentials(input.token, account, permission_set_);
  out.region = input.region;
  out.expiration = out.aws.expiration;
  log::debug("Permission set authentication successful. identity={} expiration={}", name_,
             out.expiration ? aws::format_iso8601(*out.expiration) : "none");
  return out;
}

}  // namespace atmos::auth
