// `atmos auth …` (docs/auth.md#commands): login, whoami, env, exec, validate, list, logout.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "auth/auth_config.hpp"
#include "auth/console.hpp"
#include "auth/credentials_endpoint.hpp"
#include "auth/identities/user.hpp"
#include "auth/identity_resolution.hpp"
#include "auth/manager.hpp"
#include "auth/store/envelope.hpp"
#include "auth/store/keyring.hpp"
#include "aws/curl_transport.hpp"
#include "aws/sts.hpp"
#include "aws/timestamp.hpp"
#include "cli/args.hpp"
#include "cli/auth_runtime.hpp"
#include "cli/child_credentials.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/log.hpp"
#include "core/suggest.hpp"
#include "core/yaml_emit.hpp"
#include "terraform/process.hpp"

extern char** environ;

namespace atmos::cli {
namespace {

using namespace atmos::auth;

// Identities carrying any of `tags` (their `tags` list), in name order.
std::vector<const Identity*> tagged_identities(const AuthConfig& config, const std::vector<std::string>& tags) {
  std::vector<const Identity*> out;
  for (const auto& id : config.identities())
    for (const auto& t : id.raw.get("tags").as_list())
      if (t.is_string() && std::find(tags.begin(), tags.end(), t.as_string()) != tags.end()) {
        out.push_back(&id);
        break;
      }
  return out;
}

std::string available_tags(const AuthConfig& config) {
  std::set<std::string> all;
  for (const auto& id : config.identities())
    for (const auto& t : id.raw.get("tags").as_list())
      if (t.is_string()) all.insert(t.as_string());
  std::string out;
  for (const auto& t : all) out += (out.empty() ? "" : ", ") + t;
  return out.empty() ? "(no identity has tags)" : out;
}

// Everything one auth command works with; built once per process.
struct AuthCommand : AuthRuntime {
  explicit AuthCommand(const ParsedArgs& args) : AuthRuntime(load_config(args)) {}

  // --identity, ATMOS_IDENTITY, then the defaults of atmos.yaml and the active profile (stack defaults do not
  // apply to `atmos auth`).
  std::string resolve(const ParsedArgs& args) {
    std::vector<std::string> named;
    if (auto f = args.last("identity"); f && !f->empty()) named.push_back(*f);
    if (auto v = env.get("ATMOS_IDENTITY"); v && !v->empty()) named.push_back(*v);
    try {
      return resolve_named(args);
    } catch (Error& e) {
      if (!named.empty()) add_profile_hints(e, cfg, named);
      throw;
    }
  }

  std::string resolve_named(const ParsedArgs& args) {
    if (config.identities().empty())
      throw Error(ErrorKind::Auth, "no identities available")
          .explain("No auth identities are configured in " + files_text() + ".")
          .hint("Define identities under `auth.identities`, or select a profile with --profile / ATMOS_PROFILE");
    ResolutionRequest req;
    req.flag = args.last("identity");
    req.env = env.get("ATMOS_IDENTITY");
    req.config = &config;
    req.config_files = cfg.loaded_files;
    req.config_files.insert(req.config_files.end(), cfg.profile_files.begin(), cfg.profile_files.end());
    TerminalChooser chooser(terminal);
    IdentityChoice choice = resolve_identity(req, interactive() ? &chooser : nullptr);
    if (choice.source == IdentitySource::Disabled) {
      std::string literal = req.flag ? *req.flag : req.env.value_or("");
      throw Error(ErrorKind::Auth, "identity not found").explain("Identity `" + literal + "` is not defined in the currently loaded auth config.");
    }
    log::debug("Identity resolved identity={} reason={}", choice.identity, choice.reason());
    return choice.identity;
  }

  // `--tags`: the one identity carrying any of them, or a choice among several on a terminal.
  std::string resolve_tags(const std::vector<std::string>& tags) {
    std::vector<const Identity*> matches = tagged_identities(config, tags);
    if (matches.empty())
      throw Error(ErrorKind::Auth, "no identities match the specified tags").hint("Available tags: " + available_tags(config));
    if (matches.size() == 1) return matches.front()->name;
    std::vector<std::string> names;
    for (const auto* id : matches) names.push_back(id->name);
    TerminalChooser chooser(terminal);
    if (!interactive()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw Error(ErrorKind::Auth, "interactive identity selection: requires a TTY")
          .explain("The tags match several identities: " + list + ".")
          .hint("Pass --identity <name>, or tags that match one identity");
    }
    auto chosen = chooser.choose("Select an identity:", names);
    if (!chosen) throw Error(ErrorKind::Auth, "user aborted", 130);
    return *chosen;
  }

  std::string files_text() const {
    std::string out;
    for (const auto& f : cfg.loaded_files) out += (out.empty() ? "" : ", ") + f;
    return out.empty() ? "the built-in defaults (no atmos.yaml found)" : out;
  }

  AuthOptions options(const ParsedArgs& args, const std::string& identity) const {
    AuthOptions o;
    o.interactive = true;
    o.login_command = "atmos auth login --identity " + identity;
    o.mfa_token = args.get("mfa-token", env.get_or("ATMOS_MFA_TOKEN", ""));
    return o;
  }

};

std::vector<std::string> normalise_identity_flag(std::vector<std::string> args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] != "--identity" && args[i] != "-i") continue;
    bool has_value = i + 1 < args.size() && args[i + 1].rfind('-', 0) != 0;
    if (!has_value) args[i] = "--identity=";
  }
  return args;
}

std::string duration_text(std::chrono::seconds left) {
  if (left.count() <= 0) return "expired";
  long h = left.count() / 3600, m = (left.count() % 3600) / 60, s = left.count() % 60;
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

std::string expires_text(const std::optional<aws::TimePoint>& expiration, aws::TimePoint now) {
  if (!expiration) return "never";
  std::time_t t = std::chrono::system_clock::to_time_t(*expiration);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(buf) + " (" + duration_text(std::chrono::duration_cast<std::chrono::seconds>(*expiration - now)) + ")";
}

std::string table(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t width = 0;
  for (const auto& [k, v] : rows) width = std::max(width, k.size());
  std::string out;
  for (const auto& [k, v] : rows) out += "  " + k + std::string(width - k.size() + 2, ' ') + v + "\n";
  return out;
}

const std::vector<FlagSpec>& common_flags() {
  static const std::vector<FlagSpec> kFlags = {{"identity", 'i', false}};
  return kFlags;
}

std::vector<FlagSpec> with_common(std::vector<FlagSpec> specs) {
  specs.insert(specs.end(), common_flags().begin(), common_flags().end());
  return specs;
}

int auth_login(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv),
                               with_common({{"provider", 'p', false}, {"mfa-token", 0, false}, {"tags", 0, false}}));
  AuthCommand c(args);
  auto now = [&] { return c.clock.now(); };
  std::vector<std::pair<std::string, std::string>> rows{{"Realm", c.manager.realm().value + " (" + c.manager.realm().source + ")"}};
  if (args.has("provider")) {
    std::string name = args.get("provider");
    AuthOptions o;
    o.login_command = "atmos auth login --provider " + name;
    Credentials creds = c.manager.authenticate_provider(name, o);
    rows.emplace_back("Provider", name);
    if (!creds.region.empty()) rows.emplace_back("Region", creds.region);
    rows.emplace_back("Expires", expires_text(creds.expiration, now()));
  } else {
    std::string identity = args.has("tags") && !args.has("identity") && !c.env.get("ATMOS_IDENTITY")
                               ? c.resolve_tags(args.list("tags"))
                               : c.resolve(args);
    AuthSession s = c.manager.authenticate(identity, c.options(args, identity), true);
    rows.emplace_back("Provider", s.chain.front());
    rows.emplace_back("Identity", s.identity);
    std::string region = c.manager.region(identity);
    if (!region.empty()) rows.emplace_back("Region", region);
    rows.emplace_back("Expires", expires_text(s.credentials.expiration, now()));
  }
  c.terminal.message("\n✓ Authentication successful!\n\n" + table(rows));
  return 0;
}

int auth_whoami(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv), with_common({{"output", 'o', false}}));
  AuthCommand c(args);
  std::string output = args.get("output", c.env.get_or("ATMOS_AUTH_WHOAMI_OUTPUT", ""));
  if (!output.empty() && output != "json") throw Error(ErrorKind::Usage, "invalid output format: " + output).hint("Use -o json");
  std::string identity = c.resolve(args);
  std::optional<AuthSession> session = c.manager.cached(identity);
  if (!session) {
    // whoami never signs in interactively (docs/auth.md#deliberate-differences-from-upstream, item 6).
    AuthOptions o = c.options(args, identity);
    o.interactive = false;
    session = c.manager.authenticate(identity, o);
  }
  std::string region = c.manager.region(identity);
  aws::StsClient sts({c.transport, c.clock, c.env}, {session->credentials.region.empty() ? region : session->credentials.region,
                                                     c.config.find_identity(identity)->str({"spec", "endpoint_url"}), {}, {}});
  aws::CallerIdentity who = sts.get_caller_identity(session->credentials.aws);
  std::string expiration = session->credentials.expiration ? aws::format_iso8601(*session->credentials.expiration) : "";
  if (output == "json") {
    Map env_map;
    for (const auto& [k, v] : c.manager.environment(identity, false).set) env_map.push_back({k, Value(v)});
    std::sort(env_map.begin(), env_map.end(), [](const MapEntry& a, const MapEntry& b) { return a.first < b.first; });
    Map m{{"account", Value(who.account)},
          {"credentials_ref", Value(session->files.credentials)},
          {"environment", Value::map(std::move(env_map))},
          {"expiration", Value(expiration)},
          {"identity", Value(session->identity)},
          {"principal", Value(who.arn)},
          {"provider", Value(session->chain.front())},
          {"realm", Value(c.manager.realm().value)},
          {"realm_source", Value(c.manager.realm().source)},
          {"region", Value(region)}};
    write_json(Value::map(std::move(m)), stdout);
    return 0;
  }
  std::string text = "✓ Current Authentication Status\n\n" +
                     table({{"Realm", c.manager.realm().value + " (" + c.manager.realm().source + ")"},
                            {"Provider", session->chain.front()},
                            {"Identity", session->identity},
                            {"Principal", who.arn},
                            {"Account", who.account},
                            {"Region", region.empty() ? "-" : region},
                            {"Expires", expires_text(session->credentials.expiration, c.clock.now())}});
  std::fputs(text.c_str(), stdout);
  return 0;
}

std::string shell_quote(const std::string& v) {
  std::string out = "'";
  for (char ch : v) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string format_env(const std::vector<std::pair<std::string, std::string>>& vars, const std::string& format) {
  std::string out;
  if (format == "json") {
    Map m;
    for (const auto& [k, v] : vars) m.push_back({k, Value(v)});
    return to_json(Value::map(std::move(m)));
  }
  for (const auto& [k, v] : vars) {
    if (format == "bash") {
      out += "export " + k + "=" + shell_quote(v) + "\n";
    } else if (format == "dotenv") {
      out += k + "=" + shell_quote(v) + "\n";
    } else if (format == "env") {
      out += k + "=" + v + "\n";
    } else if (v.find('\n') != std::string::npos) {
      out += k + "<<ATMOS_EOF_" + k + "\n" + v + "\nATMOS_EOF_" + k + "\n";
    } else {
      out += k + "=" + v + "\n";
    }
  }
  return out;
}

void append_private(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw Error(ErrorKind::Io, "cannot open " + path + " for appending");
  ::fchmod(::fileno(f), 0600);
  bool ok = std::fputs(text.c_str(), f) >= 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) throw Error(ErrorKind::Io, "cannot write " + path);
}

// A word for credential_process (split by the AWS CLIs like a shell would), quoted only when it needs to be.
std::string command_word(const std::string& v) {
  bool plain = !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || std::strchr("/._-+=:,@", ch);
  });
  return plain ? v : shell_quote(v);
}

// `atmos auth env --format aws-config`: one `[profile <identity>]` section per identity whose credentials come
// from `atmos auth credential-process`, run in this repository with the active profiles, so any AWS tool in
// any shell can use atmos identities (append it to ~/.aws/config, or point AWS_CONFIG_FILE at it).
std::string aws_config_profiles(AuthCommand& c) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string program = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : "atmos";
  std::string common = " --chdir " + command_word(std::filesystem::current_path().string());
  for (const auto& p : c.cfg.active_profiles) common += " --profile " + command_word(p);
  std::string out = "# AWS CLI / SDK profiles for the atmos identities of " + c.files_text() + "\n";
  for (const auto& id : c.config.identities()) {
    out += "\n[profile " + id.key + "]\ncredential_process = " + command_word(program) + " auth credential-process --identity " +
           command_word(id.name) + common + "\n";
    if (std::string region = c.manager.region(id.name); !region.empty()) out += "region = " + region + "\n";
  }
  return out;
}

int auth_env(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv),
                               with_common({{"format", 'f', false}, {"output-file", 'o', false}, {"login", 0, true}, {"mfa-token", 0, false}}));
  AuthCommand c(args);
  std::string format = args.get("format", c.env.get_or("ATMOS_AUTH_ENV_FORMAT", "bash"));
  static const std::vector<std::string> kFormats = {"bash", "dotenv", "env", "github", "json", "aws-config"};
  if (std::find(kFormats.begin(), kFormats.end(), format) == kFormats.end())
    throw Error(ErrorKind::Usage, "invalid format").explain("unsupported format: " + format).hint("Use one of: bash, dotenv, env, github, json, aws-config");
  std::string output_file = args.get("output-file", c.env.get_or("ATMOS_AUTH_ENV_OUTPUT_FILE", ""));
  if (format == "github" && output_file.empty()) {
    output_file = c.env.get_or("GITHUB_ENV", "");
    if (output_file.empty())
      throw Error(ErrorKind::Usage, "--format=github requires GITHUB_ENV to be set or --output-file")
          .hint("Run inside GitHub Actions, or pass --output-file <path>");
  }
  if (format == "aws-config") {
    std::string text = aws_config_profiles(c);
    if (output_file.empty()) std::fputs(text.c_str(), stdout);
    else append_private(output_file, text);
    return 0;
  }
  std::string identity = c.resolve(args);
  if (args.flag("login") && !c.manager.cached(identity)) c.manager.authenticate(identity, c.options(args, identity));
  auto vars = c.manager.environment(identity, false).set;
  std::sort(vars.begin(), vars.end());
  std::string text = format_env(vars, format);
  if (output_file.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    append_private(output_file, text);
  }
  return 0;
}

terraform::ProcessSpec child_spec(AuthCommand& c, const std::string& identity, const std::string& program, std::vector<std::string> argv,
                                  const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  Value global_env = c.cfg.raw.get("env");
  if (global_env.is_map())
    for (const auto& [k, v] : global_env.as_map()) env[k] = v.is_string() ? v.as_string() : describe_value(v);
  ChildEnvironment child = c.manager.environment(identity, true);
  for (const auto& k : child.unset) env.erase(k);
  for (const auto& [k, v] : child.set) env[k] = v;
  for (const auto& [k, v] : extra) env[k] = v;
  terraform::ProcessSpec spec;
  spec.program = program;
  spec.args = std::move(argv);
  for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);
  return spec;
}

// Runs the child with the identity's credentials endpoint unless --credentials-endpoint=false or atmos.yaml
// turns it off.
int run_child(AuthCommand& c, const ParsedArgs& args, const AuthSession& session, terraform::ProcessSpec spec) {
  std::string path_value;
  for (const auto& kv : spec.env)
    if (kv.rfind("PATH=", 0) == 0) path_value = kv.substr(5);
  if (terraform::find_program(spec.program, path_value).empty()) {
    std::fputs((spec.program + ": command not found\n").c_str(), stderr);
    return 127;
  }
  terraform::RealProcessRunner real;
  EndpointProcessRunner runner(real);
  if (credentials_endpoint_enabled(c.cfg, args))
    runner.serve(c.manager, session.identity, session.credentials.aws);
  return runner.run(spec).exit_code;
}

AuthSession ensure_session(AuthCommand& c, const ParsedArgs& args, const std::string& identity) {
  if (auto s = c.manager.cached(identity)) return std::move(*s);
  return c.manager.authenticate(identity, c.options(args, identity));
}

// `atmos auth credential-process --identity NAME`: the identity's credentials in the `credential_process`
// format (Version 1) for the AWS CLIs and SDKs, from the cache or a fresh chain. It signs in only when a person
// can answer (a terminal on stdin and stderr, not CI); otherwise it exits non-zero with the reason on stderr.
int auth_credential_process(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv), with_common({{"mfa-token", 0, false}}));
  if (!args.positionals.empty()) throw Error(ErrorKind::Usage, "unexpected argument: " + args.positionals.front());
  AuthCommand c(args);
  std::string identity = c.resolve(args);
  AuthOptions options = c.options(args, identity);
  options.interactive = c.interactive() && c.terminal.stderr_is_terminal();
  std::optional<AuthSession> cached = c.manager.cached(identity);
  AuthSession session = cached ? std::move(*cached) : c.manager.authenticate(identity, options);
  std::string out = credential_process_json(session.credentials.aws) + "\n";
  std::fputs(out.c_str(), stdout);
  wipe(out);
  return 0;
}

int auth_exec(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv), with_common({{"mfa-token", 0, false}, {"credentials-endpoint", 0, true}}));
  if (args.passthrough.empty() && args.positionals.empty())
    throw Error(ErrorKind::Usage, "no command specified").hint("Usage: atmos auth exec [--identity <name>] -- <command> [args…]");
  std::vector<std::string> command = args.passthrough.empty() ? args.positionals : args.passthrough;
  AuthCommand c(args);
  std::string identity = c.resolve(args);
  AuthSession session = ensure_session(c, args, identity);
  return run_child(c, args, session, child_spec(c, identity, command.front(), std::vector<std::string>(command.begin() + 1, command.end()), {}));
}

std::string first_set(std::initializer_list<std::string> values) {
  for (const auto& v : values)
    if (!v.empty()) return v;
  return "";
}

// `atmos auth shell [--shell <bin>] [-- shell args]`: the user's shell with the identity's environment, as exec
// gives it, plus ATMOS_IDENTITY and ATMOS_SHLVL; a login shell (`-l`) unless arguments are given.
int auth_shell(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv), with_common({{"shell", 0, false}, {"mfa-token", 0, false}, {"credentials-endpoint", 0, true}}));
  if (!args.positionals.empty())
    throw Error(ErrorKind::Usage, "unexpected argument: " + args.positionals.front())
        .hint("Shell arguments go after --, e.g. atmos auth shell -- -c 'aws sts get-caller-identity'");
  AuthCommand c(args);
  std::string identity = c.resolve(args);
  AuthSession session = ensure_session(c, args, identity);
  std::string path_value = c.env.get_or("PATH", "");
  std::string shell = first_set({args.get("shell"), c.env.get_or("ATMOS_SHELL", ""), c.env.get_or("SHELL", "")});
  if (shell.empty()) shell = first_set({terraform::find_program("bash", path_value), terraform::find_program("sh", path_value), "/bin/sh"});
  std::vector<std::string> shell_args = args.passthrough.empty() ? std::vector<std::string>{"-l"} : args.passthrough;
  long level = 0;
  try {
    level = std::stol(c.env.get_or("ATMOS_SHLVL", "0"));
  } catch (const std::exception&) {
    level = 0;
  }
  std::string who = session.identity + " (" + session.chain.front() + ")";
  log::debug("Starting shell shell={} identity={} level={}", shell, session.identity, level + 1);
  c.terminal.message("\n→ Entering Atmos shell with identity: " + who + "\n  Type 'exit' to return to your normal shell\n");
  terraform::ProcessSpec spec = child_spec(c, identity, shell, shell_args, {{"ATMOS_IDENTITY", session.identity}, {"ATMOS_SHLVL", std::to_string(level + 1)}});
  spec.hangup_as_interrupt = false;  // an interactive shell ignores SIGINT; it must see the hang-up itself
  int code = run_child(c, args, session, std::move(spec));
  c.terminal.message("\n← Exited Atmos shell for identity: " + who + "\n");
  return code;
}

// `atmos auth console`: a console sign-in URL for the identity's role session. The URL signs in whoever holds
// it, so it is printed only on request (--print-only, to stdout); otherwise the browser gets it.
int auth_console(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(normalise_identity_flag(argv), with_common({{"destination", 0, false},
                                                                           {"duration", 0, false},
                                                                           {"issuer", 0, false},
                                                                           {"print-only", 0, true},
                                                                           {"no-open", 0, true},
                                                                           {"mfa-token", 0, false}}));
  std::string destination = console_destination(args.get("destination"));
  AuthCommand c(args);
  std::string identity = c.resolve(args);
  std::string root = c.config.chain(identity).front();
  std::string duration_text_value = args.get("duration");
  if (duration_text_value.empty()) {
    const Provider* p = c.config.find_provider(root);
    duration_text_value = p ? p->str({"console", "session_duration"}) : "";
  }
  if (duration_text_value.empty()) duration_text_value = "1h";
  std::optional<long long> seconds = parse_go_duration_seconds(duration_text_value);
  if (!seconds) throw Error(ErrorKind::Usage, "invalid console session duration: " + duration_text_value).hint("Use a duration such as 1h or 90m");
  std::chrono::seconds duration = clamp_console_duration(std::chrono::seconds(*seconds));
  AuthSession session = ensure_session(c, args, identity);
  std::string region = session.credentials.region.empty() ? c.manager.region(identity) : session.credentials.region;
  Secret url = console_signin_url(c.world, session.credentials.aws, region, args.get("issuer", "atmos"), destination);
  if (args.flag("print-only")) {
    std::fputs((url.reveal() + "\n").c_str(), stdout);
    return 0;
  }
  aws::TimePoint ends = c.clock.now() + duration;
  if (session.credentials.expiration && *session.credentials.expiration < ends) ends = *session.credentials.expiration;
  c.terminal.message("\nConsole URL Generated\n\n" + table({{"Provider", session.chain.front()},
                                                             {"Identity", session.identity},
                                                             {"Destination", destination},
                                                             {"Session Duration", duration_text(duration)},
                                                             {"Session Expires", expires_text(ends, c.clock.now())}}));
  if (!args.flag("no-open") && !in_ci(c.env)) {
    if (c.browser.open(url.reveal())) {
      c.terminal.message("✓ Opened console in browser");
      return 0;
    }
    c.terminal.message("Could not open a browser: set $BROWSER, or run with a display for xdg-open.");
  }
  c.terminal.message("The console URL is not shown because it signs in whoever holds it.\n"
                     "Run `atmos auth console --print-only` to print it to stdout.");
  return 0;
}

int auth_validate(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"verbose", 'v', true}});
  config::CliConfig cfg = load_config(args);
  AuthConfig config = AuthConfig::from(cfg.raw.get("auth"), cfg.identity_files);
  std::vector<std::string> problems = config.validate();
  if (problems.empty()) {
    std::fputs("✅ Authentication configuration is valid\n", stderr);
    return 0;
  }
  std::string text;
  for (const auto& p : problems) text += "  - " + p + "\n";
  std::fputs("❌ Authentication configuration validation failed:\n", stderr);
  throw Error(ErrorKind::Auth, "invalid auth config").explain(text.substr(0, text.size() - 1));
}

int auth_list(const std::vector<std::string>& argv) {
  ParsedArgs args =
      parse_args(argv, {{"format", 'f', false}, {"providers", 0, false}, {"identities", 0, false}, {"tags", 0, false}});
  config::CliConfig cfg = load_config(args);
  AuthConfig config = AuthConfig::from(cfg.raw.get("auth"), cfg.identity_files);
  if (args.has("tags")) {
    // Only the identities carrying one of the tags (and the providers they need).
    Map kept;
    for (const auto* id : tagged_identities(config, args.list("tags"))) kept.emplace_back(id->name, id->raw);
    config = AuthConfig::from(config.raw().with("identities", Value::map(std::move(kept))), cfg.identity_files);
  }
  std::string format = args.get("format", "tree");
  if (format == "json" || format == "yaml") {
    // Static keys in the configuration are never printed.
    Map identities;
    for (const auto& id : config.identities()) {
      Value raw = id.raw;
      if (raw.at({"credentials", "secret_access_key"}).is_string())
        raw = raw.with("credentials", raw.get("credentials").with("secret_access_key", Value("***REDACTED***")));
      identities.push_back({id.name, raw});
    }
    std::sort(identities.begin(), identities.end(), [](const MapEntry& a, const MapEntry& b) { return a.first < b.first; });
    Value doc = Value::map({{"identities", Value::map(std::move(identities))},
                            {"providers", config.raw().get("providers").is_map() ? config.raw().get("providers") : Value::empty_map()}});
    print_value(doc, format);
    return 0;
  }
  auto principal = [](const Identity& id) {
    if (id.kind == "aws/permission-set") {
      std::string account = id.str({"principal", "account", "name"});
      if (account.empty()) account = describe_value(id.raw.at({"principal", "account", "id"}));
      return id.str({"principal", "name"}) + " @ " + account;
    }
    if (id.kind == "aws/assume-role") return id.str({"principal", "assume_role"});
    if (id.kind == "aws/assume-root")
      return "root of " + id.str({"principal", "target_principal"}) + ", " + id.str({"principal", "task_policy_arn"}).substr(id.str({"principal", "task_policy_arn"}).rfind('/') + 1);
    return id.str({"credentials", "mfa_arn"}).empty() ? std::string("IAM user") : "IAM user, MFA " + id.str({"credentials", "mfa_arn"});
  };
  auto root_of = [&](const Identity& id) {
    try {
      return config.chain(id.name).front();
    } catch (const Error&) {
      return std::string("(invalid)");
    }
  };
  if (format == "table") {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& id : config.identities())
      rows.emplace_back(id.name, id.kind + "  via " + root_of(id) + "  " + principal(id) + (id.is_default ? "  [DEFAULT]" : ""));
    std::fputs(table(rows).c_str(), stdout);
    return 0;
  }
  // The parent of each identity in the graph: its `via` (provider or identity).
  auto parent_of = [](const Identity& id) { return id.via_provider.empty() ? id.via_identity : id.via_provider; };
  auto quote = [](const std::string& text) {
    std::string out = "\"";
    for (char ch : text) out += ch == '"' ? std::string("\\\"") : std::string(1, ch);
    return out + "\"";
  };
  if (format == "graphviz") {
    std::string out = "digraph atmos_auth {\n  rankdir=LR;\n";
    for (const auto& p : config.providers())
      out += "  " + quote(p.name) + " [shape=box, label=" + quote(p.name + "\\n" + p.kind) + "];\n";
    for (const auto& id : config.identities())
      out += "  " + quote(id.name) + " [shape=ellipse, label=" + quote(id.name + "\\n" + id.kind) + (id.is_default ? ", penwidth=2" : "") + "];\n";
    for (const auto& id : config.identities())
      if (!parent_of(id).empty()) out += "  " + quote(parent_of(id)) + " -> " + quote(id.name) + ";\n";
    std::fputs((out + "}\n").c_str(), stdout);
    return 0;
  }
  if (format == "mermaid") {
    std::map<std::string, std::string> ids;
    std::string out = "graph LR\n";
    int n = 0;
    for (const auto& p : config.providers()) {
      ids[p.name] = "p" + std::to_string(n++);
      out += "  " + ids[p.name] + "[" + quote(p.name + "<br/>" + p.kind) + "]\n";
    }
    for (const auto& id : config.identities()) {
      ids[lower(id.name)] = "i" + std::to_string(n++);
      out += "  " + ids[lower(id.name)] + "([" + quote(id.name + "<br/>" + id.kind + (id.is_default ? " (default)" : "")) + "])\n";
    }
    for (const auto& id : config.identities()) {
      std::string parent = parent_of(id);
      auto it = ids.find(id.via_provider.empty() ? lower(parent) : parent);
      if (!parent.empty() && it != ids.end()) out += "  " + it->second + " --> " + ids[lower(id.name)] + "\n";
    }
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  if (format == "markdown") {
    std::string out = "## Providers\n\n| Provider | Kind |\n|---|---|\n";
    for (const auto& p : config.providers()) out += "| " + p.name + " | " + p.kind + " |\n";
    out += "\n## Identities\n\n| Identity | Kind | Via | Principal | Default |\n|---|---|---|---|---|\n";
    for (const auto& id : config.identities())
      out += "| " + id.name + " | " + id.kind + " | " + parent_of(id) + " | " + principal(id) + " | " + (id.is_default ? "yes" : "") + " |\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  if (format != "tree")
    throw Error(ErrorKind::Usage, "invalid format")
        .explain("unsupported format: " + format)
        .hint("Use tree, table, json, yaml, graphviz, mermaid or markdown");
  std::string out = "Authentication Configuration\n";
  std::vector<std::string> roots;
  for (const auto& p : config.providers()) roots.push_back(p.name);
  for (const auto& id : config.identities())
    if (root_of(id) == id.name) roots.push_back(id.name);
  for (const auto& r : roots) {
    const Provider* p = config.find_provider(r);
    out += "├─ " + r + " (" + (p ? p->kind : config.find_identity(r)->kind) + ")\n";
    for (const auto& id : config.identities()) {
      if (root_of(id) != r) continue;
      out += "│  ● " + id.name + " (" + id.kind + ")" + (id.is_default ? " [DEFAULT]" : "") + "\n";
      out += "│      " + principal(id) + "\n";
    }
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}


// `atmos auth logout`: an identity, --provider, --all; --all-realms also clears the AWS files other realms
// (other repositories, ATMOS_AUTH_REALM values) left under the same base directory; --dry-run only lists.
int auth_logout(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"provider", 'p', false},
                                      {"tags", 0, false},
                                      {"all", 0, true},
                                      {"all-realms", 0, true},
                                      {"dry-run", 0, true},
                                      {"keychain", 0, true},
                                      {"force", 0, true}});
  AuthCommand c(args);
  bool keychain = args.flag("keychain");
  bool dry_run = args.flag("dry-run");
  std::vector<std::string> done;  // what was removed, or with --dry-run what would be
  auto add = [&](std::vector<std::string> lines) {
    for (auto& line : lines)
      if (std::find(done.begin(), done.end(), line) == done.end()) done.push_back(std::move(line));
  };
  auto identity = [&](const std::string& name) {
    if (dry_run) {
      add(c.manager.logout_identity_plan(name, keychain));
    } else if (c.manager.logout_identity(name, keychain)) {
      add({c.config.find_identity(name)->name});
    }
  };
  auto provider = [&](const std::string& name) {
    if (dry_run) {
      add(c.manager.logout_provider_plan(name));
    } else {
      c.manager.logout_provider(name);
      add({"provider " + name});
    }
  };
  if (args.flag("all") || args.flag("all-realms")) {
    for (const auto& p : c.config.providers()) provider(p.name);
    for (const auto& id : c.config.identities()) {
      try {
        identity(id.name);
      } catch (const Error& e) {
        log::debug("Skipping identity that cannot be resolved identity={} error={}", id.name, e.message());
      }
    }
    if (args.flag("all-realms")) add(c.manager.logout_other_realms(dry_run));
  } else if (args.has("tags")) {
    if (args.has("provider") || !args.positionals.empty())
      throw Error(ErrorKind::Usage, "--tags cannot be combined with an identity, --provider or --all");
    std::vector<const Identity*> matches = tagged_identities(c.config, args.list("tags"));
    if (matches.empty())
      throw Error(ErrorKind::Auth, "no identities match the specified tags").hint("Available tags: " + available_tags(c.config));
    for (const auto* id : matches) {
      identity(id->name);
      if (!dry_run) add({id->name});
    }
  } else if (args.has("provider")) {
    provider(args.get("provider"));
  } else if (!args.positionals.empty()) {
    const std::string& name = args.positionals.front();
    if (!c.config.find_identity(name))
      throw Error(ErrorKind::Auth, "identity not found in configuration").explain("Identity `" + name + "` is not configured.");
    identity(name);
    if (!dry_run && done.empty()) done.push_back(c.config.find_identity(name)->name);
  } else {
    throw Error(ErrorKind::Usage, "nothing to log out").hint("Name an identity, or pass --provider <name>, --all or --all-realms");
  }
  if (dry_run) {
    std::string text = done.empty() ? "Dry run: nothing to remove." : "Dry run: nothing was removed. Would remove:";
    for (const auto& d : done) text += "\n  - " + d;
    c.terminal.message(text);
    return 0;
  }
  std::string text = "✓ Logged out";
  for (const auto& d : done) text += "\n  " + d;
  c.terminal.message(text + "\nBrowser sessions at your identity provider stay signed in.");
  return 0;
}

// `atmos auth user configure`: stores an IAM user's long-lived keys in the keyring. On a terminal it asks for
// what the flags do not give; in scripts the secret access key is read from stdin (never from a flag).
int auth_user(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "configure") throw Error(ErrorKind::Usage, "unknown command for \"atmos auth user\"").hint("Use `atmos auth user configure`");
  ParsedArgs args = parse_args(normalise_identity_flag(std::vector<std::string>(argv.begin() + 1, argv.end())),
                               with_common({{"access-key-id", 0, false}, {"mfa-arn", 0, false}, {"session-duration", 0, false}}));
  AuthCommand c(args);
  std::vector<std::string> users;
  for (const auto& id : c.config.identities())
    if (id.kind == "aws/user") users.push_back(id.name);
  if (users.empty()) throw Error(ErrorKind::Auth, "no AWS user identities found in configuration");
  std::string name = args.get("identity");
  if (name.empty() && users.size() == 1) name = users.front();
  if (name.empty()) {
    TerminalChooser chooser(c.terminal);
    std::optional<std::string> chosen = c.interactive() ? chooser.choose("Select an AWS user identity:", users) : std::nullopt;
    if (!chosen) throw Error(ErrorKind::Auth, "interactive identity selection: requires a TTY").hint("Pass --identity <name>");
    name = *chosen;
  }
  const Identity* id = c.config.find_identity(name);
  if (!id || id->kind != "aws/user") throw Error(ErrorKind::Auth, "identity not found").explain("`" + name + "` is not an aws/user identity.");
  if (!id->str({"credentials", "access_key_id"}).empty()) {
    c.terminal.message("Credentials for " + id->name + " are set in the configuration; nothing to store.");
    return 0;
  }
  bool tty = c.terminal.stdin_is_terminal();
  auto ask = [&](const std::string& flag, const std::string& label, bool secret) -> std::string {
    if (args.has(flag)) return args.get(flag);
    if (!tty) return "";
    return c.terminal.prompt(label, secret).value_or("");
  };
  AwsUserKeys keys;
  keys.access_key_id = ask("access-key-id", "AWS Access Key ID", false);
  if (tty) {
    keys.secret_access_key = Secret(c.terminal.prompt("AWS Secret Access Key", true).value_or(""));
  } else {
    std::string line;
    int ch;
    while ((ch = std::getchar()) != EOF && ch != '\n') line += static_cast<char>(ch);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    keys.secret_access_key = Secret(std::move(line));
  }
  if (keys.access_key_id.empty() || keys.secret_access_key.empty())
    throw Error(ErrorKind::Usage, "access key id and secret access key are required")
        .hint("On a terminal answer the prompts; in scripts pass --access-key-id and the secret on stdin");
  if (id->str({"credentials", "mfa_arn"}).empty()) keys.mfa_arn = ask("mfa-arn", "MFA ARN (optional)", false);
  keys.session_duration = ask("session-duration", "Session Duration (optional, e.g. 12h)", false);
  if (!keys.session_duration.empty()) {
    auto seconds = parse_session_duration(keys.session_duration);
    if (!seconds || *seconds > 129600)
      throw Error(ErrorKind::Usage, "invalid session duration: " + keys.session_duration).hint("Use seconds, a duration like 12h, or days like 1d (at most 36h)");
  }
  try {
    c.keyring->set(keyring_key(c.manager.realm().value, id->key), encode_user_keys(keys));
  } catch (const KeyringError& e) {
    throw Error(ErrorKind::Auth, "failed to store AWS user credentials in keyring").explain(e.what());
  }
  c.terminal.message("Saved credentials to keyring: " + id->name);
  return 0;
}

}  // namespace

int run_as_identity(const ParsedArgs& args, const std::string& identity, const std::vector<terraform::ProcessSpec>& specs) {
  AuthCommand c(args);
  if (!c.config.find_identity(identity)) {
    Error e(ErrorKind::Auth, "identity not found");
    e.explain("Identity `" + identity + "` is not defined in the currently loaded auth config.");
    add_profile_hints(e, c.cfg, {identity});
    throw e;
  }
  AuthSession session = ensure_session(c, args, identity);
  ChildEnvironment child = c.manager.environment(identity, true);
  for (terraform::ProcessSpec spec : specs) {
    std::map<std::string, std::string> env;
    for (const auto& kv : spec.env) {
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& k : child.unset) env.erase(k);
    for (const auto& [k, v] : child.set) env[k] = v;
    spec.env.clear();
    for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);
    if (int code = run_child(c, args, session, std::move(spec)); code != 0) return code;
  }
  return 0;
}

int cmd_auth(const std::vector<std::string>& args) {
  static const std::map<std::string, int (*)(const std::vector<std::string>&)> kCommands = {
      {"console", auth_console}, {"credential-process", auth_credential_process}, {"env", auth_env},     {"exec", auth_exec}, {"list", auth_list},         {"login", auth_login},
      {"logout", auth_logout},   {"shell", auth_shell}, {"user", auth_user}, {"validate", auth_validate}, {"whoami", auth_whoami},
  };
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::string usage = "Usage:\n  atmos auth [command]\n\nAvailable Commands:\n";
    for (const auto& [name, fn] : kCommands) usage += "  " + name + "\n";
    std::fputs(usage.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  auto it = kCommands.find(args[0]);
  if (it == kCommands.end()) {
    Error e(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos auth\"");
    std::vector<std::string> names;
    for (const auto& [name, fn] : kCommands) names.push_back(name);
    auto near = closest_names(args[0], names, 1);
    if (!near.empty()) e.hint("Did you mean " + near.front() + "?");
    throw e;
  }
  return it->second(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace atmos::cli
