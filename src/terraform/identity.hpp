// Which identity a Terraform run should use (docs/auth.md#which-identity-a-command-runs-as), and the seam through which authentication will
// hand the child its credentials. Authentication itself lives in the auth layer; until it is wired in, the runner
// uses `no_authentication`, which leaves the caller's environment untouched (upstream's behaviour without `auth`).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/environment.hpp"
#include "core/value.hpp"

namespace atmos::terraform {

struct IdentitySelection {
  enum class Mode {
    Default,   // neither flag nor ATMOS_IDENTITY: the stack's / profile's default decides
    Named,     // `--identity name` or ATMOS_IDENTITY=name
    Select,    // `--identity` without a value: interactive choice
    Disabled,  // `--identity=false|0|no|off` or the same in ATMOS_IDENTITY: no atmos authentication at all
  };
  Mode mode = Mode::Default;
  std::string name;    // for Named
  std::string source;  // "flag" or "env" (empty for Default)
};

// `flag` is the value of --identity/-i when given ("" for the bare flag); the flag beats ATMOS_IDENTITY.
IdentitySelection select_identity(const std::optional<std::string>& flag, const Environment& env);

// What the child's environment needs for an identity: variables to set (credentials files, profile, region, the
// identity's own `env`) and inherited ones to remove (ambient AWS keys). Applied after the component's `env`.
struct IdentityEnvironment {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> unset;
};

// Called once per command, before any file is written or process started, with the component's final section.
// Throws Error when the identity cannot be used (authentication failed, unknown identity, …).
using IdentityResolver = std::function<IdentityEnvironment(const Value& section, const IdentitySelection& selection)>;

// The resolver used until the auth engine exists: no changes to the environment.
IdentityEnvironment no_authentication(const Value& section, const IdentitySelection& selection);

}  // namespace atmos::terraform
