// The `auth:` configuration (docs/auth.md#configuration): providers and identities with case-insensitive names,
// identity chains, and the static checks of `atmos auth validate`.
//
// An AuthConfig is an immutable view over the merged `auth` tree; build one per command.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/value.hpp"

namespace atmos::auth {

struct Provider {
  std::string name;  // as written
  std::string kind;
  Value raw;
  std::string str(std::initializer_list<std::string_view> path) const;
};

struct Identity {
  std::string name;  // as written (displayed)
  std::string key;   // lower-case: lookups, AWS profile / INI section names
  std::string kind;
  bool is_default = false;
  std::string via_provider;
  std::string via_identity;
  Value raw;
  std::string str(std::initializer_list<std::string_view> path) const;
};

// Kinds this implementation authenticates.
const std::vector<std::string>& provider_kinds();
const std::vector<std::string>& identity_kinds();
// Standalone identities need no `via` and are the root of their chain.
bool is_standalone_kind(const std::string& kind);

class AuthConfig {
 public:
  // `auth` is the merged `auth` section; `files` maps lower-case identity names to the file that defined them.
  static AuthConfig from(const Value& auth, std::map<std::string, std::string> files = {});

  bool empty() const { return providers_.empty() && identities_.empty(); }
  const std::vector<Provider>& providers() const { return providers_; }
  const std::vector<Identity>& identities() const { return identities_; }  // sorted by key
  const Provider* find_provider(std::string_view name) const;
  const Identity* find_identity(std::string_view name) const;  // case-insensitive
  // The file that (last) defined an identity, "" when unknown.
  std::string file_of(const Identity& id) const;
  const Value& raw() const { return raw_; }

  // [root, …, target]: the root is a provider name, or the identity itself for a standalone identity.
  // Throws Error: unknown identity, missing `via`, unknown reference, cycle (the cycle is printed).
  std::vector<std::string> chain(std::string_view identity) const;

  // Every problem `atmos auth validate` reports (empty = valid).
  std::vector<std::string> validate() const;

 private:
  Value raw_;
  std::vector<Provider> providers_;
  std::vector<Identity> identities_;
  std::map<std::string, std::string> files_;
};

std::string lower(std::string_view s);

// Go's time.ParseDuration (e.g. "1h", "90m", "1h30m", "3600s"); nullopt when invalid.
std::optional<long long> parse_go_duration_seconds(std::string_view text);

}  // namespace atmos::auth
