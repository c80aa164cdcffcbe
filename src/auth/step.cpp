#include "auth/step.hpp"

#include "auth/identities/assume_role.hpp"
#include "auth/identities/assume_root.hpp"
#include "auth/identities/permission_set.hpp"
#include "auth/identities/ambient.hpp"
#include "auth/identities/user.hpp"
#include "auth/providers/github_oidc.hpp"
#include "auth/providers/sso.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace atmos::auth {
namespace {

Error unsupported(const std::string& what, const std::string& name, const std::string& kind, const std::vector<std::string>& kinds) {
  Error e(ErrorKind::Auth, "invalid " + what + " kind");
  e.explain(what + "=" + name + ": unsupported " + what + " kind: " + (kind.empty() ? "(empty)" : kind));
  auto near = closest_names(kind, kinds, 1);
  if (!near.empty()) e.hint("Did you mean " + near.front() + "?");
  return e;
}

}  // namespace

Credentials IdentityStep::authenticate_standalone(const AuthOptions&) {
  throw Error(ErrorKind::Auth, "invalid identity config").explain("This identity kind needs `via.provider` or `via.identity`.");
}

std::unique_ptr<CredentialProvider> make_provider(const Provider& config, StepContext& context) {
  if (config.kind == "aws/iam-identity-center") return std::make_unique<SsoProvider>(config, context);
  if (config.kind == "github/oidc") return std::make_unique<GithubOidcProvider>(config, context);
  throw unsupported("provider", config.name, config.kind, provider_kinds());
}

std::unique_ptr<IdentityStep> make_identity(const Identity& config, StepContext& context) {
  if (config.kind == "aws/permission-set") return std::make_unique<PermissionSetIdentity>(config, context);
  if (config.kind == "aws/assume-role") return std::make_unique<AssumeRoleIdentity>(config, context);
  if (config.kind == "aws/assume-root") return std::make_unique<AssumeRootIdentity>(config, context);
  if (config.kind == "aws/user") return std::make_unique<UserIdentity>(config, context);
  if (config.kind == "aws/ambient") return std::make_unique<AmbientIdentity>(config, context);
  throw unsupported("identity", config.name, config.kind, identity_kinds());
}

}  // namespace atmos::auth
