#include "auth/auth_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>

#include "auth/identities/assume_root.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace atmos::auth {
namespace {

std::string str_at(const Value& v, std::initializer_list<std::string_view> path) {
  Value x = v.at(path);
  return x.is_string() ? x.as_string() : "";
}

std::string suggestion(const std::string& kind, const std::vector<std::string>& kinds) {
  auto near = closest_names(kind, kinds, 1);
  return near.empty() ? "" : " (did you mean " + near.front() + "?)";
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Provider::str(std::initializer_list<std::string_view> path) const { return str_at(raw, path); }
std::string Identity::str(std::initializer_list<std::string_view> path) const { return str_at(raw, path); }

const std::vector<std::string>& provider_kinds() {
  static const std::vector<std::string> kKinds = {"aws/iam-identity-center", "github/oidc"};
  return kKinds;
}

const std::vector<std::string>& identity_kinds() {
  static const std::vector<std::string> kKinds = {"aws/permission-set", "aws/assume-role", "aws/assume-root", "aws/user", "aws/ambient"};
  return kKinds;
}

bool is_standalone_kind(const std::string& kind) { return kind == "aws/user" || kind == "aws/ambient"; }

AuthConfig AuthConfig::from(const Value& auth, std::map<std::string, std::string> files) {
  AuthConfig c;
  c.raw_ = auth.is_map() ? auth : Value::empty_map();
  c.files_ = std::move(files);
  for (const auto& [name, p] : c.raw_.get("providers").as_map()) {
    c.providers_.push_back(Provider{name, str_at(p, {"kind"}), p});
  }
  for (const auto& [name, i] : c.raw_.get("identities").as_map()) {
    // `{default: true|false}` alone is a stack's marker selecting an identity, not a declaration of one.
    if (i.is_map() && i.size() == 1 && i.has("default")) continue;
    Identity id;
    id.name = name;
    id.key = lower(name);
    id.kind = str_at(i, {"kind"});
    id.is_default = i.get("default").is_bool() && i.get("default").as_bool();
    id.via_provider = str_at(i, {"via", "provider"});
    id.via_identity = str_at(i, {"via", "identity"});
    id.raw = i;
    c.identities_.push_back(std::move(id));
  }
  std::sort(c.identities_.begin(), c.identities_.end(), [](const Identity& a, const Identity& b) { return a.key < b.key; });
  return c;
}

const Provider* AuthConfig::find_provider(std::string_view name) const {
  for (const auto& p : providers_)
    if (p.name == name) return &p;
  return nullptr;
}

const Identity* AuthConfig::find_identity(std::string_view name) const {
  std::string key = lower(name);
  for (const auto& i : identities_)
    if (i.key == key) return &i;
  return nullptr;
}

std::string AuthConfig::file_of(const Identity& id) const {
  auto it = files_.find(id.key);
  return it == files_.end() ? "" : it->second;
}

std::vector<std::string> AuthConfig::chain(std::string_view target) const {
  std::vector<std::string> reversed;
  std::vector<std::string> visited;
  std::string current(target);
  for (;;) {
    const Identity* id = find_identity(current);
    if (!id) {
      Error e(ErrorKind::Auth, "identity not found");
      e.explain("Identity `" + current + "` is not defined in the currently loaded auth config.");
      e.hint("Run `atmos auth list` to see available identities");
      throw e;
    }
    if (std::find(visited.begin(), visited.end(), id->key) != visited.end()) {
      std::vector<std::string> cycle(std::find(visited.begin(), visited.end(), id->key), visited.end());
      cycle.push_back(id->key);
      throw Error(ErrorKind::Auth, "circular dependency detected in identity chain")
          .explain("The identities reach each other through `via.identity`: " + join(cycle, " -> "));
    }
    visited.push_back(id->key);
    reversed.push_back(id->name);
    if (id->via_provider.empty() && id->via_identity.empty()) {
      if (is_standalone_kind(id->kind)) break;
      throw Error(ErrorKind::Auth, "invalid identity config")
          .explain("Identity `" + id->name + "` has no via configuration (`via.provider` or `via.identity`).");
    }
    if (!id->via_provider.empty()) {
      if (!find_provider(id->via_provider))
        throw Error(ErrorKind::Auth, "provider not found")
            .explain("Identity `" + id->name + "` uses provider `" + id->via_provider + "`, which is not configured.");
      reversed.push_back(id->via_provider);
      break;
    }
    current = id->via_identity;
  }
  return {reversed.rbegin(), reversed.rend()};
}

std::optional<long long> parse_go_duration_seconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return 0;
  static const std::regex re(R"(^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$)");
  std::string s(text);
  if (!std::regex_match(s, re)) return std::nullopt;
  static const std::regex part(R"(([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h))");
  double total = 0;
  for (std::sregex_iterator it(s.begin(), s.end(), part), end; it != end; ++it) {
    double n = std::stod((*it)[1].str());
    std::string unit = (*it)[2].str();
    double scale = unit == "h" ? 3600 : unit == "m" ? 60 : unit == "s" ? 1 : unit == "ms" ? 1e-3 : unit == "ns" ? 1e-9 : 1e-6;
    total += n * scale;
  }
  return static_cast<long long>(std::floor(total));
}

std::vector<std::string> AuthConfig::validate() const {
  std::vector<std::string> problems;
  for (const auto& p : providers_) {
    std::string where = "provider `" + p.name + "`";
    if (p.kind.empty()) {
      problems.push_back(where + ": `kind` is required");
      continue;
    }
    if (std::find(provider_kinds().begin(), provider_kinds().end(), p.kind) == provider_kinds().end()) {
      problems.push_back(where + ": unsupported provider kind `" + p.kind + "`" + suggestion(p.kind, provider_kinds()));
      continue;
    }
    if (p.kind == "aws/iam-identity-center") {
      if (p.str({"start_url"}).empty()) problems.push_back(where + ": `start_url` is required for AWS SSO provider");
      if (p.str({"region"}).empty()) problems.push_back(where + ": `region` is required for AWS SSO provider");
    }
    if (p.kind == "github/oidc" && p.raw.at({"spec", "audience"}).is_string() && p.str({"spec", "audience"}).empty())
      problems.push_back(where + ": `spec.audience` must not be empty");
    Value d = p.raw.at({"session", "duration"});
    if (!d.is_null() && (!d.is_string() || !parse_go_duration_seconds(d.as_string())))
      problems.push_back(where + ": invalid `session.duration` `" + describe_value(d) + "` (use a duration such as 1h or 90m)");
  }
  for (const auto& id : identities_) {
    std::string where = "identity `" + id.name + "`";
    if (id.kind.empty()) {
      problems.push_back(where + ": `kind` is required");
      continue;
    }
    if (std::find(identity_kinds().begin(), identity_kinds().end(), id.kind) == identity_kinds().end()) {
      problems.push_back(where + ": unsupported identity kind `" + id.kind + "`" + suggestion(id.kind, identity_kinds()));
      continue;
    }
    bool has_provider = !id.via_provider.empty(), has_identity = !id.via_identity.empty();
    if (id.kind == "aws/ambient" && (has_provider || has_identity))
      problems.push_back(where + ": an aws/ambient identity takes its credentials from the environment and must not define `via`");
    if (has_provider && has_identity) problems.push_back(where + ": `via.provider` and `via.identity` are mutually exclusive");
    if (!has_provider && !has_identity && !is_standalone_kind(id.kind))
      problems.push_back(where + ": `via.provider` or `via.identity` is required");
    if (has_provider && !find_provider(id.via_provider))
      problems.push_back(where + ": `via.provider` references unknown provider `" + id.via_provider + "`");
    if (has_identity && !find_identity(id.via_identity))
      problems.push_back(where + ": `via.identity` references unknown identity `" + id.via_identity + "`");
    if (id.kind == "aws/permission-set") {
      if (has_identity) problems.push_back(where + ": aws/permission-set must use `via.provider` (an aws/iam-identity-center provider)");
      if (id.str({"principal", "name"}).empty()) problems.push_back(where + ": `principal.name` (the permission set) is required");
      Value acct = id.raw.at({"principal", "account"});
      bool has_account = !acct.get("id").is_null() || !acct.get("name").is_null();
      if (!has_account) problems.push_back(where + ": `principal.account.id` or `principal.account.name` is required");
      if (const Provider* p = find_provider(id.via_provider); p && p->kind != "aws/iam-identity-center")
        problems.push_back(where + ": provider `" + p->name + "` is `" + p->kind + "`, not aws/iam-identity-center");
    }
    if (id.kind == "aws/assume-role") {
      if (id.str({"principal", "assume_role"}).empty()) problems.push_back(where + ": `principal.assume_role` (a role ARN) is required");
      Value d = id.raw.at({"principal", "duration"});
      if (!d.is_null() && (!d.is_string() || !parse_go_duration_seconds(d.as_string())))
        problems.push_back(where + ": invalid `principal.duration` `" + describe_value(d) + "` (use a duration such as 1h)");
    }
    if (id.kind == "aws/assume-root")
      for (auto& problem : assume_root_problems(id)) problems.push_back(std::move(problem));
    if (id.kind == "aws/user") {
      bool key = !id.str({"credentials", "access_key_id"}).empty(), secret = !id.str({"credentials", "secret_access_key"}).empty();
      if (key != secret)
        problems.push_back(where + ": `credentials.access_key_id` and `credentials.secret_access_key` must be set together");
      Value d = id.raw.at({"session", "duration"});
      if (!d.is_null() && (!d.is_string() || !parse_go_duration_seconds(d.as_string())))
        problems.push_back(where + ": invalid `session.duration` `" + describe_value(d) + "`");
    }
    if (has_identity) {
      try {
        chain(id.name);
      } catch (const Error& e) {
        if (e.message() == "circular dependency detected in identity chain")
          problems.push_back(where + ": identity cycle detected: " + e.explanation());
      }
    }
  }
  std::string realm = str_at(raw_, {"realm"});
  static const std::regex realm_re(R"(^[a-z0-9]([a-z0-9]|[-_](?![-_]))*$)");
  if (!realm.empty() && (realm.size() > 64 || !std::regex_match(realm, realm_re) || realm.back() == '-' || realm.back() == '_'))
    problems.push_back("invalid realm value `" + realm +
                       "`: use 1-64 characters of a-z, 0-9, `-` and `_`, not starting or ending with `-`/`_`, without doubled separators");
  Value level = raw_.at({"logs", "level"});
  if (level.is_string() && !level.as_string().empty()) {
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warning", "warn", "error", "off"};
    if (!kLevels.count(lower(level.as_string())))
      problems.push_back("invalid `auth.logs.level` `" + level.as_string() + "`: use Trace, Debug, Info, Warning, Error or Off");
  }
  return problems;
}

}  // namespace atmos::auth
