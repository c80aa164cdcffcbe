#include "stacks/functions.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"
#include "core/yaml_load.hpp"
#include "stacks/yq.hpp"

extern char** environ;

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

// Longest `!exec` output kept; a command printing more is an error rather than unbounded memory.
constexpr std::size_t kMaxExecOutput = 4 * 1024 * 1024;

// Tags evaluated after merging, longest first where one is a prefix of another.
const char* const kFunctionTags[] = {
    "!terraform.output", "!terraform.state", "!store.get", "!store", "!template", "!exec", "!env", "!repo-root",
    "!git.root", "!git.sha", "!git.ref", "!git.branch", "!git.repository", "!git.owner", "!git.name", "!git.host",
    "!git.url", "!cwd", "!random", "!unset", "!version", "!aws.account_id", "!aws.caller_identity_arn",
    "!aws.caller_identity_user_id", "!aws.region", "!aws.organization_id",
};

[[noreturn]] void invalid_args(std::size_t offset, const std::string& message) {
  throw Error(ErrorKind::Stack, "invalid function arguments at 1:" + std::to_string(offset + 1) + ": " + message);
}

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// The arguments after the tag; upstream's getStringAfterTag rejects an empty rest.
std::string args_after(const std::string& input, const std::string& tag) {
  std::string rest = trim(std::string_view(input).substr(tag.size()));
  if (rest.empty()) throw Error(ErrorKind::Stack, "invalid Atmos YAML function: " + input);
  return rest;
}

bool is_expression_start(std::string_view v) { return !v.empty() && std::string_view(".[{|'\"").find(v[0]) != std::string_view::npos; }

// A JSON text decoded as Go's json.Unmarshal into `any` would; the text itself when it is not JSON.
Value json_or_string(const std::string& text) {
  try {
    return parse_json(text, true);
  } catch (const Error&) {
    return Value(text);
  }
}

std::string display_file(const std::string& path, const config::CliConfig& cfg) {
  std::string rel = fs::path(path).lexically_relative(cfg.base_path_abs).string();
  return rel.empty() || rel.rfind("..", 0) == 0 ? path : rel;
}

std::optional<std::string> read_trimmed(const fs::path& p) {
  auto text = read_file_if_exists(p.string());
  if (!text) return std::nullopt;
  return trim(*text);
}

// The .git directory of the work tree at `root` (a `.git` file points elsewhere: worktrees, submodules).
std::optional<fs::path> git_dir(const std::string& root) {
  fs::path dot = fs::path(root) / ".git";
  std::error_code ec;
  if (fs::is_directory(dot, ec)) return dot;
  auto text = read_trimmed(dot);
  if (!text || text->rfind("gitdir:", 0) != 0) return std::nullopt;
  fs::path target = trim(text->substr(7));
  return target.is_absolute() ? target : (fs::path(root) / target).lexically_normal();
}

// Where shared refs live (a worktree's `commondir`).
fs::path common_dir(const fs::path& gd) {
  auto common = read_trimmed(gd / "commondir");
  if (!common) return gd;
  fs::path p = *common;
  return p.is_absolute() ? p : (gd / p).lexically_normal();
}

std::optional<std::string> resolve_ref(const fs::path& gd, const std::string& ref) {
  for (const fs::path& base : {gd, common_dir(gd)}) {
    if (auto loose = read_trimmed(base / ref)) return *loose;
    if (auto packed = read_file_if_exists((base / "packed-refs").string())) {
      std::size_t pos = 0;
      while (pos < packed->size()) {
        std::size_t end = packed->find('\n', pos);
        if (end == std::string::npos) end = packed->size();
        std::string line = packed->substr(pos, end - pos);
        pos = end + 1;
        auto sp = line.find(' ');
        if (sp == 40 && trim(line.substr(sp + 1)) == ref) return line.substr(0, 40);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<FunctionToken> tokenize_function_args(std::string_view args) {
  std::vector<FunctionToken> out;
  std::size_t i = 0;
  while (i < args.size()) {
    char c = args[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '|') {
      out.push_back({"|", i, false, true});
      ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      bool closed = false;
      while (j < args.size() && args[j] != '\r' && args[j] != '\n') {
        if (args[j] == c) {
          if (j + 1 < args.size() && args[j + 1] == c) {
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        ++j;
      }
      if (!closed) invalid_args(i, "unterminated quoted value");
      out.push_back({std::string(args.substr(i, j + 1 - i)), i, true, false});
      i = j + 1;
      continue;
    }
    std::size_t j = i;
    while (j < args.size() && !std::isspace(static_cast<unsigned char>(args[j])) && args[j] != '|') ++j;
    out.push_back({std::string(args.substr(i, j - i)), i, false, false});
    i = j;
  }
  return out;
}

std::string unquote_function_arg(std::string_view text) {
  std::string v = trim(text);
  if (v.size() < 2 || v.front() != v.back() || (v.front() != '"' && v.front() != '\'')) return v;
  char q = v.front();
  std::string inner = v.substr(1, v.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (inner[i] == q && i + 1 < inner.size() && inner[i + 1] == q) ++i;
  }
  return out;
}

TerraformArgs parse_terraform_args(std::string_view args) {
  auto tokens = tokenize_function_args(args);
  if (tokens.empty()) invalid_args(0, "expected arguments");
  if (tokens.size() == 1) invalid_args(tokens[0].offset, "terraform function requires 2 or 3 arguments");
  auto rest = [&](const FunctionToken& t) { return unquote_function_arg(args.substr(t.offset)); };
  TerraformArgs out;
  out.component = unquote_function_arg(tokens[0].text);
  const FunctionToken* expr = nullptr;
  if (tokens.size() == 2 || is_expression_start(tokens[1].text)) {
    expr = &tokens[1];
  } else {
    if (tokens.size() > 3 && !is_expression_start(tokens[2].text))
      invalid_args(tokens[3].offset, "terraform function requires 2 or 3 arguments");
    out.stack = unquote_function_arg(tokens[1].text);
    expr = &tokens[2];
  }
  out.expression = rest(*expr);
  if (out.component.empty()) invalid_args(expr->offset, "component must not be empty");
  if (out.expression.empty()) invalid_args(expr->offset, "output expression must not be empty");
  return out;
}

StoreArgs parse_store_args(std::string_view args, bool get) {
  auto tokens = tokenize_function_args(args);
  std::size_t head_end = tokens.size();
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    std::string kw = unquote_function_arg(tokens[i + 1].text);
    if (tokens[i].pipe && (kw == "default" || kw == "query")) {
      head_end = i;
      break;
    }
  }
  StoreArgs out;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < head_end; ++i) {
    if (tokens[i].pipe) invalid_args(tokens[i].offset, "unexpected pipe");
    words.push_back(unquote_function_arg(tokens[i].text));
  }
  if (words.empty()) invalid_args(0, "expected arguments");
  if (get) {
    if (words.size() != 2) invalid_args(0, "store.get function requires 2 parameters");
    out.store = words[0];
    out.key = words[1];
  } else {
    if (words.size() != 3 && words.size() != 4) invalid_args(0, "store function requires 3 or 4 parameters");
    out.store = words[0];
    if (words.size() == 3) {
      out.component = words[1];
      out.key = words[2];
    } else {
      out.stack = words[1];
      out.component = words[2];
      out.key = words[3];
    }
  }
  // Options: `| default <one value>` and `| query <expression up to the next option>`.
  for (std::size_t i = head_end; i < tokens.size();) {
    if (!tokens[i].pipe || i + 1 >= tokens.size()) invalid_args(tokens[i].offset, "expected option delimiter");
    std::string kw = unquote_function_arg(tokens[i + 1].text);
    if (kw != "default" && kw != "query") invalid_args(tokens[i + 1].offset, "expected default or query option");
    if (i + 2 >= tokens.size() || tokens[i + 2].pipe) invalid_args(tokens[i + 1].offset, "expected option value");
    std::size_t next = tokens.size();
    for (std::size_t j = i + 2; j + 1 < tokens.size(); ++j) {
      std::string k = unquote_function_arg(tokens[j + 1].text);
      if (tokens[j].pipe && (k == "default" || k == "query")) {
        next = j;
        break;
      }
    }
    if (kw == "default" && next != i + 3) invalid_args(tokens[i + 3].offset, "default option accepts one value");
    std::size_t end = next == tokens.size() ? tokens.back().offset + tokens.back().text.size() : tokens[next].offset;
    std::string value = unquote_function_arg(args.substr(tokens[i + 2].offset, end - tokens[i + 2].offset));
    if (kw == "default") out.default_value = value;
    else out.query = value;
    i = next;
  }
  return out;
}

std::string function_tag_of(std::string_view input) {
  if (input.empty() || input[0] != '!') return "";
  for (const char* tag : kFunctionTags) {
    std::string_view t(tag);
    if (input.substr(0, t.size()) != t) continue;
    if (input.size() == t.size()) return std::string(t);
    char c = input[t.size()];
    bool continues = c == '.' || c == '-' || c == '_' || std::isalnum(static_cast<unsigned char>(c));
    if (!continues) return std::string(t);
  }
  return "";
}

namespace git {

std::optional<std::string> root(const std::string& dir) {
  std::error_code ec;
  for (fs::path p = fs::absolute(dir, ec).lexically_normal();; p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p.string();
    if (p == p.root_path() || p.empty()) return std::nullopt;
  }
}

// The git directory of the working tree holding `dir`.
std::optional<fs::path> git_dir_of(const std::string& dir) {
  auto r = root(dir);
  return r ? git_dir(*r) : std::nullopt;
}

std::optional<std::string> head_sha(const std::string& dir) {
  auto gd = git_dir_of(dir);
  if (!gd) return std::nullopt;
  auto head = read_trimmed(*gd / "HEAD");
  if (!head) return std::nullopt;
  if (head->rfind("ref:", 0) == 0) return resolve_ref(*gd, trim(head->substr(4)));
  return *head;
}

std::optional<std::string> branch(const std::string& dir) {
  auto gd = git_dir_of(dir);
  if (!gd) return std::nullopt;
  auto head = read_trimmed(*gd / "HEAD");
  if (!head) return std::nullopt;
  if (head->rfind("ref:", 0) != 0) return std::string();
  std::string ref = trim(head->substr(4));
  const std::string prefix = "refs/heads/";
  return ref.rfind(prefix, 0) == 0 ? ref.substr(prefix.size()) : ref;
}

std::optional<std::string> origin_url(const std::string& dir) {
  auto gd = git_dir_of(dir);
  if (!gd) return std::nullopt;
  auto config = read_file_if_exists((common_dir(*gd) / "config").string());
  if (!config) return std::nullopt;
  bool in_origin = false;
  std::size_t pos = 0;
  while (pos < config->size()) {
    std::size_t end = config->find('\n', pos);
    if (end == std::string::npos) end = config->size();
    std::string line = trim(config->substr(pos, end - pos));
    pos = end + 1;
    if (!line.empty() && line[0] == '[') {
      in_origin = line == "[remote \"origin\"]";
      continue;
    }
    auto eq = line.find('=');
    if (in_origin && eq != std::string::npos && trim(line.substr(0, eq)) == "url") return trim(line.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace git

std::string run_shell(const std::string& command, std::size_t max_output) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw Error(ErrorKind::Io, std::string("failed to run the command: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw Error(ErrorKind::Io, std::string("failed to run the command: ") + std::strerror(rc));
  }
  std::string output;
  bool too_long = false;
  char buf[65536];
  for (;;) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() + static_cast<std::size_t>(n) > max_output) {
      too_long = true;
      kill(pid, SIGKILL);
      break;
    }
    output.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_long)
    throw Error(ErrorKind::Stack, "the command printed more than " + std::to_string(max_output / (1024 * 1024)) + " MiB");
  if (WIFSIGNALED(status)) throw Error(ErrorKind::Stack, "the command was killed by signal " + std::to_string(WTERMSIG(status)));
  if (WEXITSTATUS(status) != 0) throw Error(ErrorKind::Stack, "the command exited with code " + std::to_string(WEXITSTATUS(status)));
  return output;
}

FunctionEvaluator::FunctionEvaluator(const config::CliConfig& cfg, const Environment& env, FunctionOptions options,
                                     ExternalFunctions* external)
    : cfg_(cfg), env_(env), options_(std::move(options)), external_(external) {}

bool FunctionEvaluator::skipped(std::string_view tag) const {
  std::string_view name = tag.substr(1);
  return std::find(options_.skip.begin(), options_.skip.end(), name) != options_.skip.end();
}

void FunctionEvaluator::prepare(const std::vector<std::pair<StackComponent, Value>>& sections) {
  if (!options_.enabled || !external_ || skipped("!terraform.state")) return;
  std::vector<StateReference> refs;
  std::function<void(const StackComponent&, const Value&)> collect = [&](const StackComponent& sc, const Value& v) {
    if (v.is_string()) {
      if (function_tag_of(v.as_string()) != "!terraform.state") return;
      try {
        TerraformArgs a = parse_terraform_args(args_after(v.as_string(), "!terraform.state"));
        refs.push_back({&sc, a.component, a.stack.empty() ? sc.stack : a.stack});
      } catch (const Error&) {
        // Reported with its file when the value is evaluated.
      }
    } else if (v.is_map()) {
      for (const auto& entry : v.as_map()) collect(sc, entry.second);
    } else if (v.is_list()) {
      for (const auto& item : v.as_list()) collect(sc, item);
    }
  };
  for (const auto& [sc, section] : sections) collect(sc, section);
  if (!refs.empty()) external_->prefetch_states(refs);
}

Value FunctionEvaluator::evaluate(const StackComponent& sc, const Value& section) {
  if (!options_.enabled) return section;
  bool unset = false;
  Value out = walk(sc, section, section, unset);
  return out.is_null() ? Value::empty_map() : out;
}

Value FunctionEvaluator::walk(const StackComponent& sc, const Value& section, const Value& v, bool& unset) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.empty() || s[0] != '!') return v;
    try {
      Value result = call(sc, section, s, unset);
      // A string that is no function (or a skipped one) keeps its source position for later error messages.
      return !unset && result.is_string() && result.as_string() == s ? v : result;
    } catch (const Error& e) {
      const SourceMark* mark = v.mark();
      std::string file = mark && mark->file ? display_file(*mark->file, cfg_)
                         : sc.manifest     ? display_file(sc.manifest->abs_path, cfg_)
                                           : std::string("(unknown)");
      if (mark && mark->file && mark->line) file += ":" + std::to_string(mark->line);
      Error wrapped(e.kind() == ErrorKind::Internal ? ErrorKind::Stack : e.kind(),
                    "failed to evaluate the YAML function `" + s + "` in the stack manifest '" + file + "'");
      std::string explanation = e.message();
      if (!e.explanation().empty()) explanation += "\n\n" + e.explanation();
      wrapped.explain("Component `" + sc.component + "` in stack `" + sc.stack + "`: " + explanation);
      for (const auto& h : e.hints()) wrapped.hint(h);
      throw wrapped;
    }
  }
  if (v.is_map()) {
    Map out;
    out.reserve(v.size());
    bool changed = false;
    for (const auto& [k, item] : v.as_map()) {
      bool removed = false;
      Value nv = walk(sc, section, item, removed);
      changed |= removed || nv.identity() != item.identity();
      if (!removed) out.emplace_back(k, std::move(nv));
    }
    return changed ? Value::sorted_map(std::move(out)) : v;
  }
  if (v.is_list()) {
    List out;
    out.reserve(v.size());
    bool changed = false;
    for (const auto& item : v.as_list()) {
      bool removed = false;
      Value nv = walk(sc, section, item, removed);
      changed |= removed || nv.identity() != item.identity();
      if (!removed) out.push_back(std::move(nv));
    }
    return changed ? Value::list(std::move(out)) : v;
  }
  return v;
}

Value FunctionEvaluator::call(const StackComponent& sc, const Value& section, const std::string& input, bool& unset) {
  std::string tag = function_tag_of(input);
  if (tag.empty() || skipped(tag)) return Value(input);
  log::debug("Executing Atmos YAML function function={} component={} stack={}", input, sc.component, sc.stack);
  std::string rest = trim(std::string_view(input).substr(tag.size()));
  auto need_external = [&]() -> ExternalFunctions& {
    if (!external_) throw Error(ErrorKind::Stack, "the " + tag + " function is not available in this command");
    return *external_;
  };

  if (tag == "!unset") {
    unset = true;
    return Value();
  }
  if (tag == "!template") return json_or_string(args_after(input, tag));
  if (tag == "!exec") {
    std::string command = args_after(input, tag);
    std::string output;
    try {
      output = run_shell(command, kMaxExecOutput);
    } catch (const Error& e) {
      throw Error(ErrorKind::Stack, "!exec `" + command + "` failed: " + e.message());
    }
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return json_or_string(output);
  }
  if (tag == "!env") {
    auto tokens = tokenize_function_args(args_after(input, tag));
    if (tokens.size() > 2) invalid_args(tokens[2].offset, "env function accepts 1 or 2 arguments");
    std::string name = unquote_function_arg(tokens[0].text);
    std::string fallback = tokens.size() == 2 ? unquote_function_arg(tokens[1].text) : "";
    if (const Value* own = section.get("env").find(name)) {
      if (own->is_string()) return *own;
      if (!own->is_null()) return Value(describe_value(*own));
    }
    if (auto value = env_.get(name)) return Value(*value);
    return Value(fallback);
  }
  if (tag == "!cwd") {
    std::string cwd = fs::current_path().string();
    return Value(rest.empty() ? cwd : (fs::path(cwd) / unquote_function_arg(rest)).lexically_normal().string());
  }
  if (tag == "!random") {
    auto tokens = tokenize_function_args(rest);
    if (tokens.size() > 2) invalid_args(tokens[2].offset, "random function accepts 0, 1, or 2 arguments");
    auto number = [&](const FunctionToken& t, const char* what) {
      std::string text = unquote_function_arg(t.text);
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size())
        throw Error(ErrorKind::Stack, std::string("invalid ") + what + " value '" + text + "', must be an integer: " + input);
      return n;
    };
    std::int64_t lo = 0, hi = 65535;
    if (tokens.size() == 1) hi = number(tokens[0], "max");
    if (tokens.size() == 2) {
      lo = number(tokens[0], "min");
      hi = number(tokens[1], "max");
    }
    if (lo >= hi)
      throw Error(ErrorKind::Stack, "min value (" + std::to_string(lo) + ") must be less than max value (" + std::to_string(hi) + ")");
    std::random_device device;
    std::uniform_int_distribution<std::int64_t> dist(lo, hi);
    return Value(dist(device));
  }
  if (tag == "!repo-root" || tag == "!git.root" || tag == "!git.sha" || tag == "!git.ref" || tag == "!git.branch" ||
      tag.rfind("!git.", 0) == 0) {
    std::string cwd = fs::current_path().string();
    std::optional<std::string> value;
    std::string what;
    if (tag == "!repo-root" || tag == "!git.root") {
      value = git::root(cwd);
      what = "the Git repository root";
    } else if (tag == "!git.sha" || tag == "!git.ref") {
      value = git::head_sha(cwd);
      what = "the current Git commit";
    } else if (tag == "!git.branch") {
      value = git::branch(cwd);
      if (value && value->empty()) value.reset();
      what = "the current Git branch (HEAD is detached)";
    } else {
      what = "the Git repository's origin remote";
      if (auto url = git::origin_url(cwd)) {
        // https://host/owner/name(.git) or git@host:owner/name(.git)
        std::string u = *url, host, path;
        if (auto scheme = u.find("://"); scheme != std::string::npos) {
          std::string after = u.substr(scheme + 3);
          if (auto at = after.find('@'); at != std::string::npos && at < after.find('/')) after = after.substr(at + 1);
          host = after.substr(0, after.find('/'));
          path = after.find('/') == std::string::npos ? "" : after.substr(after.find('/') + 1);
        } else if (auto colon = u.find(':'); colon != std::string::npos) {
          host = u.substr(0, colon);
          if (auto at = host.find('@'); at != std::string::npos) host = host.substr(at + 1);
          path = u.substr(colon + 1);
        }
        if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0) path.resize(path.size() - 4);
        std::string owner = path.find('/') == std::string::npos ? "" : path.substr(0, path.rfind('/'));
        std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
        std::string result;
        if (tag == "!git.repository") result = owner.empty() || name.empty() ? "" : owner + "/" + name;
        else if (tag == "!git.owner") result = owner;
        else if (tag == "!git.name") result = name;
        else if (tag == "!git.host") result = host;
        else if (tag == "!git.url") result = "https://" + host + "/" + owner + "/" + name;
        if (!result.empty() && !host.empty()) value = result;
      }
    }
    if (value) return Value(*value);
    if (!rest.empty()) return Value(rest);
    throw Error(ErrorKind::Stack, "could not determine " + what + " from '" + cwd + "'");
  }
  if (tag == "!version") {
    std::string name = args_after(input, tag);
    std::string track = "default";
    Value stack_track = sc.manifest ? sc.manifest->merged.at({"version", "track"}) : Value();
    std::string global = cfg_.get_string({"version", "track"}, "");
    if (stack_track.is_string() && !stack_track.as_string().empty()) track = stack_track.as_string();
    else if (!global.empty()) track = global;
    std::string lock = cfg_.get_string({"version", "lock_file"}, "versions.lock.yaml");
    fs::path lock_path = fs::path(lock).is_absolute() ? fs::path(lock) : fs::path(cfg_.base_path_abs) / lock;
    auto text = read_file_if_exists(lock_path.string());
    if (!text) throw Error(ErrorKind::Stack, "the version lock file '" + lock_path.string() + "' does not exist");
    Value locked = parse_yaml(*text, lock_path.string()).at({"tracks", track, name});
    Value version = locked.is_map() ? locked.get("version") : locked;
    if (version.is_null())
      throw Error(ErrorKind::Stack, "version `" + name + "` is not locked in track `" + track + "` of '" + lock_path.string() + "'");
    return version.is_string() ? version : Value(describe_value(version));
  }
  if (tag == "!terraform.state" || tag == "!terraform.output") {
    TerraformArgs a = parse_terraform_args(args_after(input, tag));
    std::string stack = a.stack.empty() ? sc.stack : a.stack;
    std::string expression = a.expression[0] == '.' ? a.expression : "." + a.expression;
    ExternalFunctions& ext = need_external();
    std::optional<Value> outputs =
        tag == "!terraform.state" ? ext.terraform_state(sc, a.component, stack) : ext.terraform_output(sc, a.component, stack);
    if (!outputs) {
      if (yq_has_default(expression)) return yq_evaluate(Value::empty_map(), expression);
      throw Error(ErrorKind::Stack, "terraform state not provisioned for component `" + a.component + "` in stack `" + stack + "`")
          .hint("Apply the component first, or give the expression a default: `" + a.expression + " // <value>`");
    }
    return yq_evaluate(*outputs, expression);
  }
  if (tag == "!store" || tag == "!store.get") {
    StoreArgs a = parse_store_args(args_after(input, tag), tag == "!store.get");
    if (!cfg_.raw.at({"stores", a.store}).is_map()) {
      std::string known;
      if (cfg_.raw.get("stores").is_map())
        for (const auto& entry : cfg_.raw.get("stores").as_map()) known += (known.empty() ? "" : ", ") + entry.first;
      throw Error(ErrorKind::Stack, "store `" + a.store + "` not found")
          .hint(known.empty() ? "Define it under `stores:` in atmos.yaml" : "Stores defined in atmos.yaml: " + known);
    }
    std::string stack = tag == "!store" && a.stack.empty() ? sc.stack : a.stack;
    std::optional<Value> value = need_external().store_get(sc, a.store, stack, a.component, a.key);
    if (!value) {
      if (a.default_value) return Value(*a.default_value);
      throw Error(ErrorKind::Stack, "key `" + a.key + "` not found in store `" + a.store + "`");
    }
    return a.query.empty() ? *value : yq_evaluate(*value, a.query);
  }
  if (tag.rfind("!aws.", 0) == 0) {
    if (!rest.empty()) return Value(input);  // upstream matches these tags exactly
    return need_external().aws(sc, tag);
  }
  return Value(input);
}

}  // namespace atmos::stacks
