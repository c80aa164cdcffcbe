#include "auth/identity_resolution.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/suggest.hpp"

namespace atmos::auth {
namespace {

constexpr const char* kSelect = "__SELECT__";

std::string files_text(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
  return out.empty() ? "atmos.yaml" : out;
}

std::vector<std::string> names(const AuthConfig& cfg) {
  std::vector<std::string> out;
  for (const auto& i : cfg.identities()) out.push_back(i.name);
  return out;
}

const Identity& require_identity(const ResolutionRequest& req, const std::string& name, const std::string& how) {
  if (const Identity* id = req.config->find_identity(name)) return *id;
  std::vector<std::string> all = names(*req.config);
  Error e(ErrorKind::Auth, "identity not found");
  std::string list;
  for (const auto& n : all) list += "\n  - " + n;
  e.explain("Identity `" + name + "` (" + how + ") is not defined in the auth configuration read from " +
            files_text(req.config_files) + "." +
            (all.empty() ? std::string(" It defines no identities.") : "\nIdentities defined there:" + list));
  auto near = closest_names(name, all, 1);
  if (!near.empty()) e.hint("Did you mean `" + near.front() + "`?");
  e.hint("Select another profile with --profile or ATMOS_PROFILE, or run `atmos auth list`");
  throw e;
}

IdentityChoice select(const ResolutionRequest& req, IdentityChooser* chooser, const std::string& title,
                      const std::vector<std::string>& options) {
  if (!chooser)
    throw Error(ErrorKind::Auth, "interactive identity selection: requires a TTY")
        .hint("Pass --identity <name> or set ATMOS_IDENTITY");
  if (options.empty()) throw Error(ErrorKind::Auth, "no identities available");
  auto chosen = chooser->choose(title, options);
  if (!chosen) throw Error(ErrorKind::Auth, "user aborted", 130);
  return IdentityChoice{IdentitySource::Selected, require_identity(req, *chosen, "selected").name, ""};
}

// One level's defaults: none → nullopt; one → it; several → selector or error.
std::optional<IdentityChoice> from_defaults(const ResolutionRequest& req, IdentityChooser* chooser,
                                            const std::vector<DefaultMark>& marks, IdentitySource source,
                                            const std::string& level) {
  // The same identity marked in several places counts once (the highest-precedence file is first).
  std::vector<DefaultMark> unique;
  for (const auto& m : marks) {
    bool seen = std::any_of(unique.begin(), unique.end(), [&](const DefaultMark& u) { return lower(u.identity) == lower(m.identity); });
    if (!seen) unique.push_back(m);
  }
  if (unique.empty()) return std::nullopt;
  for (const auto& m : unique) {
    if (req.config->find_identity(m.identity)) continue;
    Error e(ErrorKind::Auth, "invalid identity config");
    e.explain("Component default identity \"" + m.identity + "\" (set in " + m.file +
              ") is not defined in the active global auth configuration (" + files_text(req.config_files) + ").");
    e.hint("Define the identity in atmos.yaml or the active profile, or select a profile that defines it");
    throw e;
  }
  if (unique.size() == 1) {
    const Identity& id = *req.config->find_identity(unique[0].identity);
    log::debug("Identity resolved from {} identity={} file={}", level, id.name, unique[0].file);
    return IdentityChoice{source, id.name, unique[0].file};
  }
  std::vector<std::string> options;
  std::string listed, explained;
  for (const auto& m : unique) {
    options.push_back(req.config->find_identity(m.identity)->name);
    listed += (listed.empty() ? "" : " ") + options.back();
    explained += "\n  - " + options.back() + " (set in " + m.file + ")";
  }
  if (chooser) {
    IdentityChoice c = select(req, chooser, "Multiple default identities found. Please choose one:", options);
    return c;
  }
  throw Error(ErrorKind::Auth, "multiple default identities found: `[" + listed + "]`")
      .explain("More than one identity is marked `default: true` in the " + level + ":" + explained)
      .hint("Keep one default, or pass --identity <name> / set ATMOS_IDENTITY");
}

}  // namespace

bool is_disabled_value(const std::string& value) {
  std::string v = lower(value);
  return v == "false" || v == "0" || v == "no" || v == "off";
}

std::string IdentityChoice::reason() const {
  switch (source) {
    case IdentitySource::Disabled: return "authentication disabled";
    case IdentitySource::Flag: return "--identity flag";
    case IdentitySource::Environment: return "ATMOS_IDENTITY";
    case IdentitySource::Selected: return "selected interactively";
    case IdentitySource::StackDefault: return "stack default from " + file;
    case IdentitySource::ConfigDefault: return "default from " + file;
  }
  return "";
}

IdentityChoice resolve_identity(const ResolutionRequest& req, IdentityChooser* chooser) {
  if (req.flag) {
    const std::string& v = *req.flag;
    if (v.empty() || v == kSelect) return select(req, chooser, "Select an identity:", names(*req.config));
    if (is_disabled_value(v)) return IdentityChoice{IdentitySource::Disabled, "", ""};
    return IdentityChoice{IdentitySource::Flag, require_identity(req, v, "from --identity").name, ""};
  }
  if (req.env && !req.env->empty()) {
    if (is_disabled_value(*req.env)) return IdentityChoice{IdentitySource::Disabled, "", ""};
    return IdentityChoice{IdentitySource::Environment, require_identity(req, *req.env, "from ATMOS_IDENTITY").name, ""};
  }
  if (auto c = from_defaults(req, chooser, req.stack_defaults, IdentitySource::StackDefault, "stack manifests"))
    return *c;
  std::vector<DefaultMark> global;
  for (const auto& id : req.config->identities())
    if (id.is_default) global.push_back(DefaultMark{id.name, req.config->file_of(id)});
  if (auto c = from_defaults(req, chooser, global, IdentitySource::ConfigDefault, "atmos.yaml and the active profile"))
    return *c;
  if (chooser) return select(req, chooser, "No default identity configured. Please choose an identity:", names(*req.config));
  throw Error(ErrorKind::Auth, "no default identity configured for authentication")
      .hint("Mark one identity `default: true` in the stack's _defaults.yaml or the profile, or pass --identity <name>");
}

}  // namespace atmos::auth
