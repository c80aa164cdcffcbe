// The auth engine (docs/auth.md#chains): builds an identity's chain [root, …, target], walks it reusing what
// caches still hold, and leaves the target's credentials in the AWS files child processes read.
//
// Caching (docs/auth.md#fingerprints): the target's credentials are reused from its credentials file while they
// have more than 15 minutes left and the file's `; atmos: fingerprint=` comment matches the realm, identity and
// every step's configuration; `force` (atmos auth login) always makes new ones. Otherwise the chain is re-run
// from its root, whose provider keeps its own cache (the SSO token). Within one process a chain is never
// authenticated twice.
//
// This is the API the Terraform runner calls: `authenticate(identity, options)` then `environment(...)`.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/auth_config.hpp"
#include "auth/credentials.hpp"
#include "auth/paths.hpp"
#include "auth/step.hpp"
#include "auth/world.hpp"

namespace atmos::auth {

// Variables a child process gets, and inherited ones it must not see.
struct ChildEnvironment {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> unset;
};

struct AuthSession {
  std::string identity;            // as configured (display case)
  std::string profile;             // lower-case: the AWS profile / INI section
  std::vector<std::string> chain;  // [root, …, target]
  std::string root_dir;            // the directory name under aws/ (chain root, `aws-user` for a lone user)
  Credentials credentials;
  AwsFilePaths files;
  bool reused = false;  // from the credentials file, no AWS call made
};

class Manager {
 public:
  // Constructs nothing that talks to the outside; `config` and `world` must outlive the manager.
  Manager(const AuthConfig& config, Realm realm, World& world);

  const AuthConfig& config() const { return config_; }
  const Realm& realm() const { return realm_; }
  World& world() const { return world_; }
  // Cached credentials (the target's file, the in-process memo) are reused only while they have more than this
  // left; kMinValidity unless atmos.yaml's `auth.credentials.min_validity` says otherwise (the Terraform
  // pre-flight).
  void set_min_validity(std::chrono::seconds min_validity) { min_validity_ = min_validity; }

  // The identity's credentials, written to its AWS files. Throws Error (unknown identity, failed step).
  AuthSession authenticate(std::string_view identity, const AuthOptions& options, bool force = false);
  // Only the provider (e.g. the SSO sign-in); no AWS files are written.
  Credentials authenticate_provider(std::string_view provider, const AuthOptions& options);
  // The identity's credentials when its file holds valid fingerprinted ones: no network, no keyring.
  std::optional<AuthSession> cached(std::string_view identity);

  // Upstream's Environment() (`for_child` false: file pointers, profile, region, the identity's `env`) or
  // PrepareEnvironment (`for_child` true: also AWS_SDK_LOAD_CONFIG, AWS_EC2_METADATA_DISABLED and the removal
  // of ambient AWS credential variables). Needs no authentication.
  ChildEnvironment environment(std::string_view identity, bool for_child) const;
  // The region child processes get: the first `principal.region` from the target towards the root, else the
  // root provider's region (`credentials.region` for an IAM user); "" when none.
  std::string region(std::string_view identity) const;

  // Removes the identity's sections from its AWS files (and, with `keyring`, its keyring item). True when
  // anything was removed. Throws Error for an unknown identity.
  bool logout_identity(std::string_view identity, bool keyring);
  // Logs out every identity rooted at the provider, forgets the provider's session and removes its directory.
  void logout_provider(std::string_view provider);
  // What logout_identity / logout_provider would remove, one line each for the user; nothing is changed
  // (`atmos auth logout --dry-run`). Throw Error like their counterparts.
  std::vector<std::string> logout_identity_plan(std::string_view identity, bool keyring) const;
  std::vector<std::string> logout_provider_plan(std::string_view provider) const;
  // The credentials and config files of every other realm under the same base directory
  // (`<base>/<realm>/aws/<root>/…`, and the pre-realm `<base>/aws/<root>/…`), removed unless `dry_run`, with
  // their lock files and the directories left empty (`atmos auth logout --all-realms`). Returns the files.
  std::vector<std::string> logout_other_realms(bool dry_run);

  std::string fingerprint(const std::vector<std::string>& chain) const;
  std::string root_dir(const std::vector<std::string>& chain) const;

 private:
  CredentialProvider& provider(const std::string& name);
  // Case-insensitive; throws Error `provider not found in configuration`.
  const Provider& configured_provider(std::string_view name) const;
  IdentityStep& identity_step(const std::string& name);
  std::optional<Credentials> from_file(const std::vector<std::string>& chain);
  Credentials run_chain(const std::vector<std::string>& chain, const AuthOptions& options, bool force);

  const AuthConfig& config_;
  Realm realm_;
  World& world_;
  std::chrono::seconds min_validity_ = kMinValidity;
  StepContext context_;
  std::vector<std::pair<std::string, std::unique_ptr<CredentialProvider>>> providers_;
  std::vector<std::pair<std::string, std::unique_ptr<IdentityStep>>> identities_;
};

}  // namespace atmos::auth
