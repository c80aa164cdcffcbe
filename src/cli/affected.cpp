// `atmos describe affected|dependents`, `atmos list affected`.
#include "cli/affected.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "aws/curl_transport.hpp"
#include "cli/context.hpp"
#include "cli/matrix.hpp"
#include "cli/pro_upload.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"
#include "core/mount.hpp"
#include "core/yaml_emit.hpp"
#include "stacks/affected.hpp"
#include "stacks/dependents.hpp"
#include "stacks/git_base.hpp"
#include "stacks/yq.hpp"

namespace atmos::cli {
namespace fs = std::filesystem;

namespace {

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

// The base GitHub Actions describes (upstream's pkg/ci/providers/github/base.go), when `ci.enabled` is set and no
// base flag was given: a pull request's merge-base with its target branch (else the payload's base SHA, else
// origin/$GITHUB_BASE_REF), a push's `before`, a merge group's `base_sha`; the default otherwise.
void detect_ci_base(const config::CliConfig& cfg, stacks::GitBaseRequest& req) {
  ProcessEnvironment env;
  if (!cfg.get_bool({"ci", "enabled"}) || env.get("GITHUB_ACTIONS").value_or("") != "true") return;
  std::string event = env.get("GITHUB_EVENT_NAME").value_or("");
  Value payload;
  if (auto path = env.get("GITHUB_EVENT_PATH"); path && !path->empty())
    if (auto text = read_file_if_exists(*path)) payload = parse_json(*text);
  std::string base_ref = env.get("GITHUB_BASE_REF").value_or("");
  if (event == "pull_request" || event == "pull_request_target") {
    std::string target = str_of(payload.get("pull_request").get("base").get("ref"));
    if (target.empty()) target = base_ref;
    if (!target.empty()) {
      req.base = "refs/remotes/origin/" + target;
      req.merge_base = true;
      req.fallback = str_of(payload.get("pull_request").get("base").get("sha"));
    }
  } else if (event == "push") {
    std::string before = str_of(payload.get("before"));
    if (!before.empty() && before != std::string(40, '0')) req.base = before;
  } else if (event == "merge_group") {
    std::string sha = str_of(payload.get("merge_group").get("base_sha"));
    if (!sha.empty()) req.base = sha;
    else if (!base_ref.empty()) req.base = "refs/remotes/origin/" + base_ref;
  }
  log::info("Auto-detected CI base: event {} base {}", event, req.base.empty() ? "refs/remotes/origin/HEAD" : req.base);
}

// A copy of the configuration that reads the base commit: the stacks folder and the base path (where !include
// resolves paths) move from the repository at `root` to the base's mounted tree at `base_root`; with `only`, its
// top-level manifests are just those (paths relative to the stacks folder).
const config::CliConfig& base_config(const config::CliConfig& cfg, const std::string& root, const std::string& base_root,
                                     const std::optional<std::set<std::string>>& only) {
  auto* base = new config::CliConfig(cfg);  // lives as long as the engine that uses it (process_engine)
  auto move = [&](std::string& p) {
    if (p.compare(0, root.size(), root) == 0 && (p.size() == root.size() || p[root.size()] == '/'))
      p = base_root + p.substr(root.size());
  };
  for (auto& p : base->included_abs) move(p);
  for (auto& p : base->excluded_abs) move(p);
  move(base->stacks_base_abs);
  move(base->base_path_abs);
  if (only) {
    base->included_abs.clear();
    for (const auto& rel : *only) base->included_abs.push_back(base->stacks_base_abs + "/" + rel);
  }
  return *base;
}

// Would `path` (a file in the stacks folder) be a top-level manifest under the configured patterns?
bool top_level_candidate(const config::CliConfig& cfg, const std::string& path) {
  static const char* const kExtensions[] = {".yaml", ".yml", ".yaml.tmpl", ".yml.tmpl"};
  bool ext = false;
  for (const char* e : kExtensions)
    if (path.size() > std::strlen(e) && path.compare(path.size() - std::strlen(e), std::strlen(e), e) == 0) ext = true;
  if (!ext) return false;
  for (const auto& ex : cfg.excluded_abs)
    if (glob_match(ex, path)) return false;
  for (const auto& inc : cfg.included_abs) {
    if (glob_match(inc, path)) return true;
    for (const char* e : kExtensions)
      if (glob_match(inc + e, path)) return true;
  }
  return false;
}

// Which top-level manifests the base must render (docs/affected.md#speed): the working tree's manifests that
// import, are or !include a changed file, every manifest sharing a stack with one of those, and changed files
// that are top-level manifests themselves (those only in the base). nullopt when a changed stacks file is none
// of these (a file only the base reads): the base is then rendered whole.
std::optional<std::set<std::string>> manifests_to_render(const config::CliConfig& cfg, stacks::StackEngine& engine,
                                                          const std::vector<std::string>& changed,
                                                          std::set<std::string>& dirty_stacks) {
  std::set<std::string> changed_keys, top_level;
  const std::set<std::string> changed_set(changed.begin(), changed.end());
  std::set<std::string> included_changed, included_keys;
  for (const auto& m : engine.manifests())
    for (const auto& f : m.included)
      if (changed_set.count(f)) included_changed.insert(f);
  const std::string& root = cfg.stacks_base_abs;
  for (const auto& f : changed) {
    if (f.size() <= root.size() || f.compare(0, root.size(), root) != 0 || f[root.size()] != '/') continue;
    std::string rel = f.substr(root.size() + 1);
    if (top_level_candidate(cfg, f)) top_level.insert(rel);
    std::string key = rel;
    if (key.size() > 5 && key.compare(key.size() - 5, 5, ".yaml") == 0) key.resize(key.size() - 5);
    else if (key.size() > 4 && key.compare(key.size() - 4, 4, ".yml") == 0) key.resize(key.size() - 4);
    changed_keys.insert(key);
    if (included_changed.count(f)) included_keys.insert(key);
  }
  std::set<std::string> known = included_keys;
  std::map<std::string, std::vector<const stacks::Manifest*>> by_stack;
  std::map<const stacks::Manifest*, std::set<std::string>> stacks_of;
  std::set<const stacks::Manifest*> dirty;
  for (const auto& m : engine.manifests()) {
    known.insert(m.file_key);
    known.insert(m.imports.begin(), m.imports.end());
    for (const auto& [name, section] : m.terraform.as_map()) {
      try {
        std::string stack = engine.stack_name(m, section);
        by_stack[stack].push_back(&m);
        stacks_of[&m].insert(stack);
      } catch (const Error&) {
      }
    }
    bool touched = changed_keys.count(m.file_key) != 0;
    for (const auto& i : m.imports) touched = touched || changed_keys.count(i) != 0;
    for (const auto& f : m.included) touched = touched || included_changed.count(f) != 0;
    if (touched) dirty.insert(&m);
  }
  for (const auto& rel : top_level) changed_keys.erase(fs::path(rel).replace_extension().string());
  for (const auto& k : changed_keys)
    if (!known.count(k) && !top_level.count(k)) return std::nullopt;
  std::vector<const stacks::Manifest*> todo(dirty.begin(), dirty.end());
  while (!todo.empty()) {
    const stacks::Manifest* m = todo.back();
    todo.pop_back();
    for (const auto& stack : stacks_of[m])
      if (dirty_stacks.insert(stack).second)
        for (const stacks::Manifest* other : by_stack[stack])
          if (dirty.insert(other).second) todo.push_back(other);
  }
  std::set<std::string> out = top_level;
  for (const stacks::Manifest* m : dirty) out.insert(fs::path(m->abs_path).lexically_relative(root).string());
  return out;
}

// The working tree's parses of the files the change did not touch (nor any file they !include), under the paths
// the base's mounted tree gives them: the base engine uses them instead of parsing the same bytes again.
std::shared_ptr<const stacks::ParsedFiles> unchanged_parses(stacks::StackEngine& engine, const std::vector<std::string>& changed,
                                                           const std::string& root, const std::string& base_root) {
  const std::set<std::string> changed_set(changed.begin(), changed.end());
  auto to_base = [&](const std::string& p) -> std::optional<std::string> {
    if (p.size() <= root.size() || p.compare(0, root.size(), root) != 0 || p[root.size()] != '/') return std::nullopt;
    return base_root + p.substr(root.size());
  };
  auto out = std::make_shared<stacks::ParsedFiles>();
  for (auto& [path, parsed] : engine.parses()) {
    std::optional<std::string> base_path = to_base(path);
    bool same = base_path && !changed_set.count(path);
    for (const auto& f : parsed.included) same = same && !changed_set.count(f);
    if (!same) continue;
    stacks::ParsedFile& f = (*out)[*base_path];
    f.value = std::move(parsed.value);
    for (const auto& inc : parsed.included) f.included.insert(to_base(inc).value_or(inc));
  }
  return out;
}

// The matrix entries (cli/matrix.hpp) of an affected list.
std::vector<MatrixEntry> matrix_of(const Value& affected) {
  std::vector<MatrixEntry> out;
  auto text = [](const Value& v) { return v.is_string() ? v.as_string() : std::string(); };
  if (affected.is_list())
    for (const Value& a : affected.as_list())
      out.push_back({text(a.get("stack")), text(a.get("component")), text(a.get("component_path")), text(a.get("component_type"))});
  return out;
}

// json (default) / yaml / matrix output, `--query`, `--file`, `--output-file` (matrix only).
int emit(const ParsedArgs& args, Value v, const std::string& default_format, bool matrix_allowed) {
  std::string format = args.get("format", default_format);
  if (args.has("output-file") && format != "matrix")
    throw Error(ErrorKind::Usage, "--output-file is only supported with --format=matrix");
  if (format == "matrix") {
    if (!matrix_allowed) throw Error(ErrorKind::Usage, "invalid '--format' flag 'matrix'. Valid values are 'json' (default) and 'yaml'");
    write_matrix(matrix_of(v), args.get("output-file"));
    return 0;
  }
  if (format != "json" && format != "yaml")
    throw Error(ErrorKind::Usage, "invalid '--format' flag '" + format + "'. Valid values are 'json' (default), 'yaml'" +
                                      (matrix_allowed ? " and 'matrix'" : ""));
  if (args.has("query")) v = stacks::yq_evaluate(v, args.get("query"));
  if (args.has("file")) {
    std::FILE* f = std::fopen(args.get("file").c_str(), "w");
    if (!f) throw Error(ErrorKind::Io, "failed to write '" + args.get("file") + "'");
    if (format == "json") write_json(v, f);
    else write_yaml(v, f);
    std::fclose(f);
    return 0;
  }
  if (!v.is_map() && !v.is_list()) {
    std::printf("%s\n", v.is_string() ? v.as_string().c_str() : to_json(v, JsonStyle::Compact).c_str());
    return 0;
  }
  print_value(v, format);
  return 0;
}

const std::vector<FlagSpec> kDependentsFlags = {{"stack", 's', false},
                                                {"format", 'f', false},
                                                {"file", 0, false},
                                                {"query", 'q', false},
                                                {"include-settings", 0, true},
                                                {"process-templates", 0, true},
                                                {"process-functions", 0, true},
                                                {"skip", 0, false},
                                                {"identity", 'i', false}};

std::vector<FlagSpec> with_flags(std::vector<FlagSpec> extra) {
  std::vector<FlagSpec> all = affected_flags();
  all.insert(all.end(), extra.begin(), extra.end());
  return all;
}

}  // namespace

const std::vector<FlagSpec>& affected_flags() {
  static const std::vector<FlagSpec> flags = {{"base", 0, false},
                                              {"ref", 0, false},
                                              {"sha", 0, false},
                                              {"repo-path", 0, false},
                                              {"clone-target-ref", 0, true},
                                              {"ssh-key", 0, false},
                                              {"ssh-key-password", 0, false},
                                              {"include-dependents", 0, true},
                                              {"include-settings", 0, true},
                                              {"stack", 's', false},
                                              {"process-templates", 0, true},
                                              {"process-functions", 0, true},
                                              {"skip", 0, false},
                                              {"identity", 'i', false},
                                              {"exclude-locked", 0, true},
                                              {"verbose", 0, true},
                                              {"include-spacelift-admin-stacks", 0, true}};
  return flags;
}

Value compute_affected(const ParsedArgs& args, const config::CliConfig& cfg, stacks::StackEngine& engine, AffectedRun* run) {
  stacks::GitBaseRequest req;
  req.cwd = fs::current_path().string();
  req.base = args.get("base");
  if (req.base.empty()) req.base = args.get("sha");
  if (req.base.empty()) req.base = args.get("ref");
  req.repo_path = args.get("repo-path");
  if (!req.repo_path.empty() && (args.has("base") || args.has("ref") || args.has("sha")))
    throw Error(ErrorKind::Usage, "--repo-path cannot be combined with --base, --ref or --sha");
  if (req.base.empty() && req.repo_path.empty()) detect_ci_base(cfg, req);
  // --clone-target-ref, --ssh-key, --ssh-key-password and their variables (upstream's pkg/flags/standard_builder.go).
  ProcessEnvironment env;
  std::string clone = env.get("ATMOS_CLONE_TARGET_REF").value_or("");
  req.clone_target_ref = args.has("clone-target-ref") ? args.flag("clone-target-ref") : (clone == "true" || clone == "1");
  req.fetch.ssh_key = args.has("ssh-key") ? args.get("ssh-key") : env.get("ATMOS_SSH_KEY").value_or("");
  req.fetch.ssh_key_password =
      args.has("ssh-key-password") ? args.get("ssh-key-password") : env.get("ATMOS_SSH_KEY_PASSWORD").value_or("");
  if (auto timeout = env.get("ATMOS_AFFECTED_FETCH_TIMEOUT"); timeout && !timeout->empty()) {
    char* end = nullptr;
    long seconds = std::strtol(timeout->c_str(), &end, 10);
    if (*end != '\0' || seconds < 1 || seconds > 86400)
      throw Error(ErrorKind::Usage, "ATMOS_AFFECTED_FETCH_TIMEOUT must be a number of seconds between 1 and 86400, not '" + *timeout + "'");
    req.fetch.timeout_seconds = static_cast<int>(seconds);
  }
  if (req.clone_target_ref && !req.repo_path.empty())
    throw Error(ErrorKind::Usage, "--clone-target-ref cannot be combined with --repo-path: the base comes from one or the other");
  stacks::GitBase git(req);
  if (args.flag("verbose"))
    std::fprintf(stderr, "Comparing the working tree of %s (HEAD %s) with the base %s\n", git.root().c_str(),
                 git.head_sha().empty() ? "unborn" : git.head_sha().c_str(), git.base_sha().c_str());

  std::error_code ec;
  fs::path root = fs::weakly_canonical(git.root(), ec);
  fs::path stacks_dir = fs::weakly_canonical(cfg.stacks_base_abs, ec);
  std::string rel = stacks_dir.lexically_relative(root).string();
  if (rel.empty() || rel.rfind("..", 0) == 0)
    throw Error(ErrorKind::Config, "the stacks directory '" + cfg.stacks_base_abs + "' is not inside the git repository at '" + git.root() + "'");

  stacks::StackEngine::DescribeStacksOptions opts;
  opts.stack = args.get("stack");
  stacks::AffectedRequest areq;
  engine.retain_parses();  // the base side reuses the parses of unchanged files (unchanged_parses)
  areq.current = engine.describe_stacks(opts);
  // Changed files as the configuration spells the repository's path (it may differ from libgit2's by symlinks):
  // the nearest folder above the stacks folder that is the repository's root.
  fs::path cfg_root = fs::path(cfg.stacks_base_abs).lexically_normal();
  while (cfg_root.has_relative_path() && fs::weakly_canonical(cfg_root, ec) != root) cfg_root = cfg_root.parent_path();
  if (fs::weakly_canonical(cfg_root, ec) != root) cfg_root = root;
  for (const auto& f : git.changed_files())
    areq.changed_files.push_back(f.compare(0, git.root().size(), git.root()) == 0 ? cfg_root.string() + f.substr(git.root().size()) : f);
  // Rendering only the manifests a change reaches relies on changed paths and manifest paths being spelled
  // alike: a symbolic link in or to the stacks folder (a changed target reached through a link) makes the base
  // render whole.
  bool linked = fs::path(cfg.stacks_base_abs).lexically_normal() != (cfg_root / rel).lexically_normal() || git.has_symlinks(rel);
  for (const auto& f : areq.changed_files)
    linked = linked || fs::is_symlink(fs::symlink_status(f, ec));
  // The base commit's tree is mounted beside the repository (`<root>@<sha>`, a path that names the commit in
  // messages) and read from the object database as the engine asks for files: no checkout.
  std::string base_root = cfg_root.string() + "@" + git.base_sha().substr(0, 12);
  MountedTree mounted(base_root, git.tree());
  std::string base_stacks = (fs::path(base_root) / rel).lexically_normal().string();
  areq.base = Value::empty_map();
  if (path_kind(base_stacks) == PathKind::Directory) {
    // The base differs from the working tree only where files changed: render just the manifests those reach
    // and take every other stack from the working tree's rendering.
    std::set<std::string> dirty_stacks;
    std::optional<std::set<std::string>> only;
    std::shared_ptr<const stacks::ParsedFiles> same;
    if (!linked) {
      only = manifests_to_render(cfg, engine, areq.changed_files, dirty_stacks);
      same = unchanged_parses(engine, areq.changed_files, cfg_root.string(), base_root);
    }
    auto render = [&](const std::optional<std::set<std::string>>& manifests) {
      const config::CliConfig& bcfg = base_config(cfg, cfg_root.string(), base_root, manifests);
      stacks::StackEngine& base_engine = process_engine(bcfg);
      if (same) base_engine.reuse_parses(same);
      if (base_engine.find_manifests().empty()) return Value::empty_map();
      install_functions(base_engine, bcfg, args);
      return base_engine.describe_stacks(opts);
    };
    if (only && only->empty()) {
      areq.base = areq.current;
    } else {
      Value rendered = render(only);
      // A base stack that the working tree builds from unchanged manifests too needs them all: render it whole.
      bool partial = only.has_value();
      if (partial)
        for (const auto& [stack, body] : rendered.as_map())
          if (areq.current.find(stack) && !dirty_stacks.count(stack)) partial = false;
      if (!partial) {
        areq.base = only ? render(std::nullopt) : rendered;
      } else {
        Map merged;
        for (const auto& [stack, body] : areq.current.as_map())
          if (!dirty_stacks.count(stack)) merged.emplace_back(stack, body);
        for (const auto& [stack, body] : rendered.as_map()) merged.emplace_back(stack, body);
        std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        areq.base = Value::sorted_map(std::move(merged));
      }
    }
  }
  areq.cwd = fs::current_path().string();
  areq.stack = args.get("stack");
  // --upload always sends dependents and settings (upstream's describe_affected.go).
  areq.include_settings = args.flag("include-settings") || args.flag("upload");
  areq.include_dependents = args.flag("include-dependents") || args.flag("upload");
  areq.include_spacelift_admin_stacks = args.flag("include-spacelift-admin-stacks");
  areq.exclude_locked = args.flag("exclude-locked");
  Value sections = cfg.get({"describe", "affected", "sections"});
  if (sections.is_list())
    for (const Value& v : sections.as_list())
      if (v.is_string()) areq.sections.push_back(v.as_string());
  if (run) *run = {git.root(), git.head_sha(), git.base_sha()};
  return stacks::find_affected(cfg, areq);
}

int describe_affected(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, with_flags({{"format", 'f', false}, {"file", 0, false}, {"output-file", 0, false}, {"query", 'q', false},
                                                 {"upload", 0, true}}));
  if (!args.positionals.empty())
    throw Error(ErrorKind::Usage, "unknown command \"" + args.positionals[0] + "\" for \"atmos describe affected\"");
  check_upload_flags(args);
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  AffectedRun run;
  Value affected = compute_affected(args, cfg, engine, &run);
  if (!args.flag("upload")) return emit(args, affected, "json", true);
  // The stripped list is what is sent; it is printed only with --verbose or written with --file, as upstream.
  Value stripped = strip_affected_for_upload(affected);
  if (args.flag("verbose") || args.has("file")) emit(args, stripped, "json", false);
  ProcessEnvironment env;
  aws::CurlTransport transport(env);
  upload_affected(args, cfg, env, transport, run, stripped);
  return 0;
}

int describe_dependents(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, kDependentsFlags);
  if (args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  if (args.get("stack").empty()) throw Error(ErrorKind::Usage, "`--stack` (-s) is required: the stack of the component");
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  stacks::StackComponent sc = engine.find_component(args.positionals[0], args.get("stack"));
  stacks::DependencyGraph graph(engine.describe_stacks({}));
  stacks::IntegrationNames names(cfg);
  List out;
  std::size_t i = graph.find(sc.component, sc.stack);
  if (i != stacks::DependencyGraph::npos) {
    std::vector<std::string> cycle = graph.cycle_from(i);
    if (!cycle.empty()) stacks::throw_cycle(cycle);
    for (std::size_t d : graph.dependents(i))
      out.push_back(stacks::dependent_value(cfg, graph.instances()[d], args.flag("include-settings"), names));
  }
  return emit(args, Value::list(std::move(out)), "json", false);
}

int list_affected(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, with_flags({{"format", 'f', false}, {"output-file", 0, false}, {"sort", 0, false}}));
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  Value affected = compute_affected(args, cfg, engine);
  std::string format = args.get("format", "table");
  if (format == "matrix" || args.has("output-file")) return emit(args, affected, "matrix", true);
  std::vector<std::vector<std::string>> rows;
  for (const Value& a : affected.as_list())
    rows.push_back({str_of(a.get("component")), str_of(a.get("stack")), str_of(a.get("component_type")),
                    str_of(a.get("affected")), str_of(a.get("component_path"))});
  if (rows.empty() && format == "table") {
    std::fputs("No affected components found\n", stderr);
    return 0;
  }
  std::vector<std::string> header{"Component", "Stack", "Type", "Affected", "Path"};
  sort_rows(args, header, rows);
  print_rows(header, rows, format);
  return 0;
}

}  // namespace atmos::cli
