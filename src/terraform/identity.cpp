#include "terraform/identity.hpp"

#include <algorithm>
#include <cctype>

namespace atmos::terraform {
namespace {

bool is_disabling(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "false" || v == "0" || v == "no" || v == "off";
}

IdentitySelection from_value(const std::string& value, const std::string& source) {
  IdentitySelection s;
  s.source = source;
  if (is_disabling(value)) {
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
