#include "auth/manager.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

#include "auth/aws_files.hpp"
#include "auth/digest.hpp"
#include "auth/store/keyring.hpp"
#include "aws/errors.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

// Chains authenticated by this process, by realm, chain and fingerprint.
std::mutex g_memo_mutex;
std::map<std::string, Credentials>& memo() {
  static std::map<std::string, Credentials> m;
  return m;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// Go's time.Duration String() for whole seconds ("15m0s", "1h0m0s").
std::string go_duration(std::chrono::seconds d) {
  long long s = d.count();
  std::string out = s >= 3600 ? std::to_string(s / 3600) + "h" : "";
  if (s >= 60) out += std::to_string(s % 3600 / 60) + "m";
  return out + std::to_string(s % 60) + "s";
}

std::string expiry_text(const Credentials& c) { return c.expiration ? aws::format_iso8601(*c.expiration) : "never"; }

}  // namespace

Manager::Manager(const AuthConfig& config, Realm realm, World& world)
    : config_(config), realm_(std::move(realm)), world_(world), context_{world, realm_.value} {
  log::debug("Auth realm computed realm={} source={}", realm_.value, realm_.source);
}

CredentialProvider& Manager::provider(const std::string& name) {
  for (auto& [n, p] : providers_)
    if (n == name) return *p;
  const Provider* cfg = config_.find_provider(name);
  if (!cfg) throw Error(ErrorKind::Auth, "provider not found").explain("Provider `" + name + "` is not configured.");
  providers_.emplace_back(name, make_provider(*cfg, context_));
  return *providers_.back().second;
}

IdentityStep& Manager::identity_step(const std::string& name) {
  const Identity* cfg = config_.find_identity(name);
  for (auto& [n, i] : identities_)
    if (n == cfg->key) return *i;
  identities_.emplace_back(cfg->key, make_identity(*cfg, context_));
  return *identities_.back().second;
}

std::string Manager::fingerprint(const std::vector<std::string>& chain) const {
  std::string material = "realm=" + realm_.value + "\n";
  for (const auto& step : chain) {
    Value raw;
    if (const Identity* id = config_.find_identity(step); id && !(step == chain.front() && config_.find_provider(step))) {
      material += "identity=" + id->key + "\n";
      raw = id->raw;
    } else if (const Provider* p = config_.find_provider(step)) {
      material += "provider=" + p->name + "\n";
      raw = p->raw;
    }
    material += to_json(raw.is_map() ? raw.without("default") : raw, JsonStyle::Compact) + "\n";
  }
  return sha256_hex(material).substr(0, 16);
}

std::string Manager::root_dir(const std::vector<std::string>& chain) const {
  if (chain.size() == 1) {
    const Identity* id = config_.find_identity(chain.front());
    if (id && id->kind == "aws/ambient") return "aws-ambient";
    if (id && is_standalone_kind(id->kind)) return "aws-user";
  }
  return chain.front();
}

std::optional<Credentials> Manager::from_file(const std::vector<std::string>& chain) {
  const Identity* target = config_.find_identity(chain.back());
  AwsFiles files(aws_file_paths(world_.env, realm_.value, root_dir(chain)));
  log::debug("Loading AWS credentials from files credentials_file={} profile={}", files.paths().credentials, target->key);
  std::optional<StoredCredentials> stored = files.read(target->key);
  if (!stored) return std::nullopt;
  if (stored->fingerprint != fingerprint(chain)) {
    log::debug("Ignoring cached credentials made by another configuration identity={}", target->name);
    return std::nullopt;
  }
  Credentials c;
  c.aws = std::move(stored->credentials);
  c.expiration = c.aws.expiration;
  c.region = region(target->name);
  if (!c.valid_for(world_.clock.now(), min_validity_)) {
    log::debug("Skipping credentials expiring too soon (within safety buffer) identity={} expiration={} required_buffer={}",
               target->name, expiry_text(c), go_duration(min_validity_));
    return std::nullopt;
  }
  log::debug("Found valid cached credentials identity={} expiration={}", target->name, expiry_text(c));
  return c;
}

std::optional<AuthSession> Manager::cached(std::string_view identity) {
  std::vector<std::string> chain = config_.chain(identity);
  const Identity* target = config_.find_identity(identity);
  if (const Provider* root = config_.find_provider(chain.front()); root && provider(root->name).ambient()) return std::nullopt;
  // Credentials from the environment are read afresh on every run, as ambient providers' are.
  if (const Identity* root = config_.find_identity(chain.front()); root && root->kind == "aws/ambient") return std::nullopt;
  std::optional<Credentials> c = from_file(chain);
  if (!c) return std::nullopt;
  return AuthSession{target->name, target->key, chain, root_dir(chain), std::move(*c),
                     aws_file_paths(world_.env, realm_.value, root_dir(chain)), true};
}

Credentials Manager::run_chain(const std::vector<std::string>& chain, const AuthOptions& options, bool force) {
  std::string memo_key = realm_.value + ":" + join(chain, "->") + ":" + fingerprint(chain);
  if (!force) {
    std::lock_guard lock(g_memo_mutex);
    auto it = memo().find(memo_key);
    if (it != memo().end() && it->second.valid_for(world_.clock.now(), min_validity_)) {
      log::debug("Using process-cached credentials for chain chain=[{}]", join(chain, " "));
      return it->second;
    }
  }
  Credentials creds;
  std::size_t start = 1;
  const Identity* root_identity = config_.find_provider(chain.front()) ? nullptr : config_.find_identity(chain.front());
  if (root_identity) {
    // A standalone identity (aws/user) roots the chain: its own session is reused from its files while valid.
    std::vector<std::string> root_chain{chain.front()};
    bool from_environment = root_identity->kind == "aws/ambient";
    std::optional<Credentials> cached_root =
        (from_environment || (force && chain.size() == 1)) ? std::nullopt : from_file(root_chain);
    if (cached_root) {
      log::debug("Using existing valid session credentials from AWS files identity={}", root_identity->name);
      creds = std::move(*cached_root);
    } else {
      log::debug("Authenticating identity step step=0 identity={} kind={}", root_identity->name, root_identity->kind);
      creds = identity_step(root_identity->name).authenticate_standalone(options);
      AwsFiles(aws_file_paths(world_.env, realm_.value, root_dir(root_chain)))
          .write(root_identity->key, creds.aws, creds.region, fingerprint(root_chain));
    }
  } else {
    log::debug("Authenticating with provider provider={}", chain.front());
    creds = provider(chain.front()).authenticate(options);
  }
  log::debug("Authenticating identity chain chainLength={} startIndex={}", chain.size(), start);
  bool signed_in_again = false;
  for (std::size_t i = start; i < chain.size(); ++i) {
    const Identity* id = config_.find_identity(chain[i]);
    log::debug("Authenticating identity step step={} identity={} kind={}", i, id->name, id->kind);
    try {
      creds = identity_step(id->name).authenticate(creds, options);
    } catch (const aws::AwsError& e) {
      // The provider's cached session was revoked or expired on the server although the cache still trusted it:
      // forget it and sign in once more (refresh is impossible without it, so this is the device flow, which
      // in CI stops with the command to run).
      if (signed_in_again || root_identity || i != start || e.code() != "UnauthorizedException") throw;
      signed_in_again = true;
      log::debug("Cached provider session rejected by AWS; signing in again provider={}", chain.front());
      provider(chain.front()).logout();
      creds = provider(chain.front()).authenticate(options);
      --i;
    }
  }
  std::lock_guard lock(g_memo_mutex);
  memo()[memo_key] = creds;
  return creds;
}

AuthSession Manager::authenticate(std::string_view identity, const AuthOptions& options, bool force) {
  std::vector<std::string> chain = config_.chain(identity);
  const Identity* target = config_.find_identity(identity);
  log::debug("Authentication chain discovered identity={} chainLength={} chain=[{}]", target->name, chain.size(), join(chain, " "));
  if (!force) {
    if (auto c = cached(identity)) {
      log::debug("Using cached target credentials identity={} expiration={}", target->name, expiry_text(c->credentials));
      return std::move(*c);
    }
  }
  Credentials creds = run_chain(chain, options, force);
  AuthSession session{target->name, target->key, chain, root_dir(chain), std::move(creds),
                      aws_file_paths(world_.env, realm_.value, root_dir(chain)), false};
  if (session.credentials.kind != CredentialKind::Aws)
    throw Error(ErrorKind::Auth, "authentication failed").explain("Identity `" + target->name + "` did not produce AWS credentials.");
  // A lone IAM user's files were written with its session above.
  if (chain.size() > 1 || config_.find_provider(chain.front()))
    AwsFiles(session.files).write(target->key, session.credentials.aws, session.credentials.region, fingerprint(chain));
  log::debug("Authentication successful identity={} expiration={}", target->name, expiry_text(session.credentials));
  return session;
}

Credentials Manager::authenticate_provider(std::string_view name, const AuthOptions& options) {
  const Provider* p = nullptr;
  for (const auto& candidate : config_.providers())
    if (lower(candidate.name) == lower(name)) p = &candidate;
  if (!p)
    throw Error(ErrorKind::Auth, "provider not found")
        .explain("Provider `" + std::string(name) + "` is not defined in the currently loaded auth config.")
        .hint("Run `atmos auth list --providers` to see available providers");
  log::debug("Authenticating with provider provider={}", p->name);
  return provider(p->name).authenticate(options);
}

std::string Manager::region(std::string_view identity) const {
  std::vector<std::string> chain = config_.chain(identity);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (const Provider* p = config_.find_provider(*it); p && it + 1 == chain.rend()) return p->str({"region"});
    const Identity* id = config_.find_identity(*it);
    std::string r = id->kind == "aws/user" ? id->str({"credentials", "region"}) : id->str({"principal", "region"});
    if (!r.empty()) return r;
  }
  return "";
}

ChildEnvironment Manager::environment(std::string_view identity, bool for_child) const {
  std::vector<std::string> chain = config_.chain(identity);
  const Identity* target = config_.find_identity(identity);
  AwsFilePaths paths = aws_file_paths(world_.env, realm_.value, root_dir(chain));
  ChildEnvironment env;
  if (for_child)
    env.unset = {"AWS_ACCESS_KEY_ID",           "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",    "AWS_SECURITY_TOKEN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",          "AWS_ROLE_SESSION_NAME"};
  env.set = {{"AWS_SHARED_CREDENTIALS_FILE", paths.credentials}, {"AWS_CONFIG_FILE", paths.config}, {"AWS_PROFILE", target->key}};
  if (for_child) {
    env.set.emplace_back("AWS_SDK_LOAD_CONFIG", "1");
    env.set.emplace_back("AWS_EC2_METADATA_DISABLED", "true");
  }
  if (std::string r = region(identity); !r.empty()) {
    env.set.emplace_back("AWS_REGION", r);
    env.set.emplace_back("AWS_DEFAULT_REGION", r);
  }
  // The identity's own `env` reaches every child (docs/auth.md#deliberate-differences-from-upstream, item 4).
  Value extra = target->raw.get("env");
  if (extra.is_list()) {
    for (const Value& e : extra.as_list()) {
      Value k = e.get("key"), v = e.get("value");
      if (k.is_string() && !k.as_string().empty()) env.set.emplace_back(k.as_string(), v.is_string() ? v.as_string() : describe_value(v));
    }
  }
  return env;
}

bool Manager::logout_identity(std::string_view identity, bool keyring) {
  std::vector<std::string> chain = config_.chain(identity);
  const Identity* target = config_.find_identity(identity);
  bool removed = AwsFiles(aws_file_paths(world_.env, realm_.value, root_dir(chain))).remove(target->key);
  if (keyring) {
    try {
      removed |= world_.keyring.remove(keyring_key(realm_.value, target->key));
    } catch (const KeyringError& e) {
      throw Error(ErrorKind::Auth, "partial logout").explain("Cannot remove the keyring item of `" + target->name + "`: " + e.what());
    }
  }
  {
    std::lock_guard lock(g_memo_mutex);
    memo().clear();
  }
  log::debug("Logged out identity={} removed={}", target->name, removed);
  return removed;
}

const Provider& Manager::configured_provider(std::string_view name) const {
  for (const auto& candidate : config_.providers())
    if (lower(candidate.name) == lower(name)) return candidate;
  throw Error(ErrorKind::Auth, "provider not found in configuration").explain("Provider `" + std::string(name) + "` is not configured.");
}

void Manager::logout_provider(std::string_view name) {
  const Provider& p = configured_provider(name);
  for (const auto& id : config_.identities()) {
    try {
      if (config_.chain(id.name).front() == p.name) logout_identity(id.name, false);
    } catch (const Error&) {
      continue;
    }
  }
  provider(p.name).logout();
  std::error_code ec;
  std::filesystem::remove_all(aws_file_paths(world_.env, realm_.value, p.name).dir, ec);
}

std::vector<std::string> Manager::logout_identity_plan(std::string_view identity, bool keyring) const {
  std::vector<std::string> chain = config_.chain(identity);
  const Identity* target = config_.find_identity(identity);
  AwsFilePaths paths = aws_file_paths(world_.env, realm_.value, root_dir(chain));
  std::vector<std::string> plan;
  if (AwsFiles(paths).read(target->key)) plan.push_back("[" + target->key + "] in " + paths.credentials + " and " + paths.config);
  if (keyring) plan.push_back("keyring item " + keyring_key(realm_.value, target->key) + " (if present)");
  return plan;
}

std::vector<std::string> Manager::logout_provider_plan(std::string_view name) const {
  const Provider& p = configured_provider(name);
  std::vector<std::string> plan;
  for (const auto& id : config_.identities()) {
    try {
      if (config_.chain(id.name).front() != p.name) continue;
    } catch (const Error&) {
      continue;
    }
    for (auto& line : logout_identity_plan(id.name, false)) plan.push_back(std::move(line));
  }
  plan.push_back("the cached sign-in session of provider " + p.name + " (if any)");
  std::string dir = aws_file_paths(world_.env, realm_.value, p.name).dir;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) plan.push_back("directory " + dir);
  return plan;
}

std::vector<std::string> Manager::logout_other_realms(bool dry_run) {
  namespace fs = std::filesystem;
  fs::path base = fs::path(xdg_config_home(world_.env)) / "atmos";
  std::vector<fs::path> aws_dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string name = entry.path().filename().string();
    // `<base>/profiles/` holds configuration profiles, never credentials.
    if (name == realm_.value || name == "profiles" || !entry.is_directory(ec)) continue;
    // `<base>/aws/<root>/` is the layout from before realms; `<base>/<realm>/aws/<root>/` every realm's.
    fs::path aws_dir = name == "aws" ? entry.path() : entry.path() / "aws";
    if (fs::is_directory(aws_dir, ec)) aws_dirs.push_back(aws_dir);
  }
  std::vector<std::string> files;
  for (const auto& aws_dir : aws_dirs) {
    for (const auto& root : fs::directory_iterator(aws_dir, ec)) {
      for (const char* name : {"credentials", "config"}) {
        fs::path file = root.path() / name;
        if (!fs::is_regular_file(file, ec)) continue;
        files.push_back(file.string());
        if (dry_run) continue;
        fs::remove(file, ec);
        fs::remove(file.string() + ".lock", ec);
      }
      if (!dry_run) fs::remove(root.path(), ec);
    }
    if (!dry_run) {
      fs::remove(aws_dir, ec);
      if (aws_dir.filename() == "aws" && aws_dir.parent_path() != base) fs::remove(aws_dir.parent_path(), ec);
    }
  }
  std::sort(files.begin(), files.end());
  log::debug("Other realms' AWS files count={} dry_run={}", files.size(), dry_run);
  return files;
}

}  // namespace atmos::auth
