// Which identity a command runs as, and why (docs/auth.md#which-identity-a-command-runs-as).
//
// Precedence: the --identity flag (a name, `false`/`0`/`no`/`off` to disable, bare for a selector) >
// ATMOS_IDENTITY > level 1, the defaults the stack manifests (and their imports) set for the component >
// level 2, the defaults of atmos.yaml and the active profile. A level with one default decides; two or more
// defaults in one level prompt on a terminal and are an error otherwise, naming each and its file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/auth_config.hpp"

namespace atmos::auth {

// An identity marked `default: true`, and the file that marked it.
struct DefaultMark {
  std::string identity;
  std::string file;
};

enum class IdentitySource { Disabled, Flag, Environment, Selected, StackDefault, ConfigDefault };

struct IdentityChoice {
  IdentitySource source = IdentitySource::Disabled;
  std::string identity;  // as configured (display case); empty when disabled
  std::string file;      // the file that set the default, for the two default sources
  // "--identity flag", "ATMOS_IDENTITY", "stack default from stacks/orgs/acme/plat/dev/_defaults.yaml", …
  std::string reason() const;
};

// A terminal selector; implementations return nullopt when the user aborts.
class IdentityChooser {
 public:
  virtual ~IdentityChooser() = default;
  virtual std::optional<std::string> choose(const std::string& title, const std::vector<std::string>& options) = 0;
};

struct ResolutionRequest {
  std::optional<std::string> flag;  // --identity value; "" or "__SELECT__" = bare flag
  std::optional<std::string> env;   // ATMOS_IDENTITY
  std::vector<DefaultMark> stack_defaults;  // level 1
  const AuthConfig* config = nullptr;       // level 2 and the identities that exist
  std::vector<std::string> config_files;    // atmos.yaml and profile files that were read (for messages)
};

// Throws Error with upstream's sentinels: `identity not found`, `invalid identity config`,
// `multiple default identities found`, `no default identity configured for authentication`,
// `interactive identity selection: requires a TTY`, `user aborted` (exit 130).
// `chooser` is null when the command is not interactive.
IdentityChoice resolve_identity(const ResolutionRequest& request, IdentityChooser* chooser);

// True for the values that disable authentication (`false`, `0`, `no`, `off`, any case).
bool is_disabled_value(const std::string& value);

}  // namespace atmos::auth
