#include "terraform/identity.hpp"

#include "auth/identity_resolution.hpp"

namespace atmos::terraform {
namespace {

IdentitySelection from_value(const std::string& value, const std::string& source) {
  IdentitySelection s;
  s.source = source;
  if (auth::is_disabled_value(value)) {
    s.mode = IdentitySelection::Mode::Disabled;
  } else {
    s.mode = IdentitySelection::Mode::Named;
    s.name = value;
  }
  return s;
}

}  // namespace

IdentitySelection select_identity(const std::optional<std::string>& flag, const Environment& env) {
  if (flag) {
    if (flag->empty()) return IdentitySelection{IdentitySelection::Mode::Select, "", "flag"};
    return from_value(*flag, "flag");
  }
  auto from_env = env.get("ATMOS_IDENTITY");
  if (from_env && !from_env->empty()) return from_value(*from_env, "env");
  return IdentitySelection{};
}

IdentityEnvironment no_authentication(const Value&, const IdentitySelection&) { return {}; }

}  // namespace atmos::terraform
