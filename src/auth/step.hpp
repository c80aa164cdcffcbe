// The two kinds of chain step (docs/auth.md#chains): a Provider produces the chain's first credentials from
// nothing, an IdentityStep turns the previous step's credentials into its own. Each kind is one small class
// behind these interfaces; the manager composes them into a chain.
#pragma once

#include <memory>
#include <string>

#include "auth/auth_config.hpp"
#include "auth/credentials.hpp"
#include "auth/world.hpp"

namespace atmos::auth {

// What one authentication may do.
struct AuthOptions {
  // May talk to the person: SSO device flow, MFA prompt. False for `whoami` and scripts.
  bool interactive = true;
  // The command that would do the interactive part, for messages ("atmos auth login --identity x").
  std::string login_command;
  // An MFA code given up front (--mfa-token / ATMOS_MFA_TOKEN); empty = ask the terminal.
  std::string mfa_token;
};

// Shared by every step of one manager.
struct StepContext {
  World& world;
  std::string realm;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Root credentials, from a cache when it still holds valid ones. Throws Error.
  virtual Credentials authenticate(const AuthOptions& options) = 0;
  // Forgets what this provider cached (tokens in memory and on disk). Throws Error.
  virtual void logout() = 0;
  // Ambient providers (GitHub OIDC) fetch fresh credentials on every run and are never cached.
  virtual bool ambient() const { return false; }
};

class IdentityStep {
 public:
  virtual ~IdentityStep() = default;
  // This identity's credentials from the previous step's. Throws Error.
  virtual Credentials authenticate(const Credentials& input, const AuthOptions& options) = 0;
  // Standalone identities (aws/user) start their chain without input. Throws Error for other kinds.
  virtual Credentials authenticate_standalone(const AuthOptions& options);
};

// The step for a configured provider / identity. Throws Error(Auth, "invalid provider kind" / "invalid identity
// kind") for kinds this build does not authenticate.
std::unique_ptr<CredentialProvider> make_provider(const Provider& config, StepContext& context);
std::unique_ptr<IdentityStep> make_identity(const Identity& config, StepContext& context);

}  // namespace atmos::auth
