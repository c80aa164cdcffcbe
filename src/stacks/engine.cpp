#include "stacks/engine.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "core/deep_stack.hpp"
#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/mount.hpp"
#include "core/log.hpp"
#include "core/merge.hpp"
#include "core/suggest.hpp"
#include "stacks/component.hpp"
#include "stacks/integrations.hpp"
#include "stacks/provenance.hpp"
#include "stacks/terraform_module.hpp"
#include "template/functions.hpp"
#include "template/template.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

// Below this many top-level manifests one thread is faster than starting another.
constexpr std::size_t kParallelThreshold = 16;

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

std::string replace_all(std::string s, char from, const std::string& to) {
  std::string out;
  for (char c : s) {
    if (c == from) out += to;
    else out += c;
  }
  return out;
}

bool is_file(const std::string& p) { return path_kind(p) == PathKind::File; }

// Keys ignored when deciding whether two manifests define the same component identically (docs/stacks.md#finding-a-component-in-a-stack).
Value comparable(const Value& section) {
  Value v = section;
  for (const char* k : {"atmos_cli_config", "atmos_stack", "stack", "atmos_stack_file", "atmos_manifest", "sources", "imports",
                        "deps_all", "deps"})
    v = v.without(k);
  return v;
}

}  // namespace

TemplateRenderer go_template_renderer(const config::CliConfig& cfg, std::shared_ptr<TemplateHooks> hooks) {
  Value delims = cfg.get({"templates", "settings", "delimiters"});
  tmpl::Options base;
  if (delims.is_list() && delims.size() == 2 && delims.as_list()[0].is_string() && delims.as_list()[1].is_string()) {
    base.left_delim = delims.as_list()[0].as_string();
    base.right_delim = delims.as_list()[1].as_string();
  }
  // The environment and function table are shared by every copy of the renderer (and every worker thread;
  // both are read-only).
  auto env = std::make_shared<ProcessEnvironment>();
  auto funcs = std::make_shared<tmpl::FuncTable>(tmpl::atmos_functions(
      *env, cfg.get_bool({"templates", "settings", "sprig", "enabled"}), cfg.get_bool({"templates", "settings", "gomplate", "enabled"})));
  if (hooks) {
    // Atmos's own template functions (upstream internal/exec/template_funcs.go), always available.
    auto call = [](auto&& f) -> Value {
      try {
        return f();
      } catch (const Error& e) {
        std::string text = e.message();
        if (!e.explanation().empty()) text += ": " + e.explanation();
        throw tmpl::FunctionError(text);
      }
    };
    funcs->add("atmos.Component", [hooks, call](std::span<const Value> a) {
      if (a.size() != 2 || !a[0].is_string() || !a[1].is_string())
        throw tmpl::FunctionError("atmos.Component takes two strings: the component and the stack");
      if (!hooks->component) throw tmpl::FunctionError("atmos.Component is not available in this command");
      return call([&] { return hooks->component(a[0].as_string(), a[1].as_string()); });
    });
    funcs->add("atmos.Store", [hooks, call](std::span<const Value> a) {
      if (a.size() != 4) throw tmpl::FunctionError("atmos.Store takes four arguments: store, stack, component and key");
      for (const auto& v : a)
        if (!v.is_string()) throw tmpl::FunctionError("atmos.Store takes four strings: store, stack, component and key");
      if (!hooks->store) throw tmpl::FunctionError("atmos.Store is not available in this command");
      return call([&] { return hooks->store(a[0].as_string(), a[1].as_string(), a[2].as_string(), a[3].as_string()); });
    });
  }
  return [base, env, funcs](const std::string& name, const std::string& text, const Value& data, bool missing_key_error) {
    tmpl::Options opts = base;
    opts.missing_key = missing_key_error ? tmpl::MissingKey::Error : tmpl::MissingKey::Default;
    try {
      return tmpl::render(name, text, data, opts, funcs.get());
    } catch (const tmpl::TemplateError& e) {
      throw Error(ErrorKind::Template, e.what());
    }
  };
}

StackEngine::StackEngine(const config::CliConfig& cfg, TemplateRenderer renderer)
    : cfg_(cfg), renderer_(renderer), processor_(cfg, std::move(renderer)) {}

std::vector<std::string> StackEngine::find_manifests() const {
  static const char* const kExtensions[] = {".yaml", ".yml", ".yaml.tmpl", ".yml.tmpl"};
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& m) {
    if (!is_file(m)) return;
    for (const auto& ex : cfg_.excluded_abs)
      if (glob_match(ex, m)) return;
    if (seen.insert(m).second) out.push_back(m);
  };
  for (const auto& inc : cfg_.included_abs) {
    std::string ext = fs::path(inc).extension().string();
    if (!ext.empty() && (ext == ".yaml" || ext == ".yml" || ext == ".tmpl")) {
      for (const auto& m : glob(inc)) add(m);
      continue;
    }
    // Upstream globs `<path><ext>` for each extension. When the pattern ends in `*`, one walk of the pattern
    // itself finds the same files; they are taken in upstream's order (every `.yaml` match, then `.yml`, …).
    bool one_walk = !inc.empty() && inc.back() == '*';
    std::vector<std::string> found = one_walk ? glob(inc) : std::vector<std::string>{};
    for (const char* e : kExtensions) {
      if (!one_walk) {
        for (const auto& m : glob(inc + e)) add(m);
        continue;
      }
      std::size_t n = std::strlen(e);
      for (const auto& m : found)
        if (m.size() > n && m.compare(m.size() - n, n, e) == 0) add(m);
    }
  }
  return out;
}

const std::vector<Manifest>& StackEngine::manifests() {
  load_manifests();
  for (const auto& e : manifest_errors_) std::rethrow_exception(e);
  return *manifests_;
}

const std::vector<Manifest>& StackEngine::manifests(std::vector<Error>& errors) {
  load_manifests();
  for (const auto& e : manifest_errors_) {
    try {
      std::rethrow_exception(e);
    } catch (const Error& err) {
      errors.push_back(err);
    }
  }
  return *manifests_;
}

void StackEngine::load_manifests() {
  if (manifests_) return;
  std::vector<std::string> paths = find_manifests();
  std::vector<Manifest> out(paths.size());
  std::vector<std::exception_ptr> errors(paths.size());
  // Processing is independent per top-level manifest: split the work over the cores, each worker with its
  // own ManifestProcessor (parse and import caches are per worker; trees are immutable and shareable).
  auto work = [&](ManifestProcessor& processor, std::size_t first, std::size_t step) {
    for (std::size_t i = first; i < paths.size(); i += step) {
      try {
        ProcessedManifest pm = processor.process_top_level(paths[i]);
        Manifest& m = out[i];
        m.abs_path = paths[i];
        m.file_key = processor.file_key(paths[i]);
        m.merged = pm.merged;
        m.imports.assign(pm.imports.begin(), pm.imports.end());
        m.own_content = pm.own_content;
        m.import_contents = std::move(pm.import_contents);
        m.included = std::move(pm.included);
        m.terraform = process_terraform_components(cfg_, pm.merged, m.file_key);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::size_t workers = paths.size() >= kParallelThreshold ? std::max(1u, std::min(4u, std::thread::hardware_concurrency())) : 1;
  std::vector<std::unique_ptr<ManifestProcessor>> processors;
  std::vector<std::unique_ptr<DeepStackThread>> threads;
  for (std::size_t w = 1; w < workers; ++w) {
    processors.push_back(std::make_unique<ManifestProcessor>(cfg_, renderer_));
    ManifestProcessor& processor = *processors.back();
    processor.reuse_parses(seed_.get());
    threads.push_back(std::make_unique<DeepStackThread>([&work, &processor, w, workers] { work(processor, w, workers); }));
  }
  work(processor_, 0, workers);
  for (auto& t : threads) t->join();
  if (retain_parses_)
    for (const auto& p : processors) p->export_parses(worker_parses_);
  // Failures in discovery order, whatever thread found them; the manifests that processed stay usable.
  std::vector<Manifest> ok;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (errors[i]) {
      manifest_errors_.push_back(errors[i]);
    } else {
      ok.push_back(std::move(out[i]));
    }
  }
  std::sort(ok.begin(), ok.end(), [](const Manifest& a, const Manifest& b) { return a.file_key < b.file_key; });
  manifests_ = std::move(ok);
}

ParsedFiles StackEngine::parses() {
  load_manifests();
  ParsedFiles out = worker_parses_;
  processor_.export_parses(out);
  return out;
}

std::string StackEngine::name_from_pattern(const Manifest& m, const Value& section) const {
  std::vector<std::string> parts;
  std::stringstream ss(cfg_.name_pattern);
  std::string part;
  Value vars = section.get("vars");
  while (std::getline(ss, part, '-')) {
    for (const char* token : {"namespace", "tenant", "environment", "stage"}) {
      if (part != std::string("{") + token + "}") continue;
      Value v = vars.get(token);
      if (!v.is_string() || v.as_string().empty()) {
        throw Error(ErrorKind::Stack, "stack name pattern references a context part that is not defined in the stack file")
            .explain("the stack name pattern '" + cfg_.name_pattern + "' specifies '" + part + "', but the stack '" +
                     m.file_key + "' does not have a " + token + " defined in the stack file '" + m.file_key + "'");
      }
      parts.push_back(v.as_string());
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "-") + p;
  return out;
}

std::string StackEngine::stack_name(const Manifest& m, const Value& section) const {
  Value declared = m.merged.get("name");
  if (declared.is_string() && !declared.as_string().empty()) return declared.as_string();
  if (!cfg_.name_template.empty())
    return renderer_("name_template", cfg_.name_template, section, !cfg_.ignore_missing_template_values);
  if (!cfg_.name_pattern.empty()) return name_from_pattern(m, section);
  return m.file_key;
}

std::string StackEngine::workspace(const StackComponent& sc) const {
  const Value& section = sc.section;
  Value enabled = cfg_.get({"components", "terraform", "workspaces_enabled"});
  std::string backend_type = str_of(section.get("backend_type"));
  if ((enabled.is_bool() && !enabled.as_bool()) || backend_type == "http") return "default";
  std::string prefix = sc.stack;
  if (prefix.empty()) prefix = replace_all(sc.manifest->file_key, '/', "-");
  Value meta = section.get("metadata");
  std::string base = str_of(meta.get("component"));
  if (base.empty()) base = str_of(section.get("component"));
  if (base == sc.component) base.clear();
  std::string ws;
  if (!str_of(meta.get("terraform_workspace_template")).empty()) {
    ws = renderer_("terraform_workspace_template", str_of(meta.get("terraform_workspace_template")), section, false);
  } else if (!str_of(meta.get("terraform_workspace_pattern")).empty()) {
    ws = str_of(meta.get("terraform_workspace_pattern"));
    Value vars = section.get("vars");
    bool from_template = !cfg_.name_template.empty();
    auto token = [&](const std::string& t, const std::string& v) {
      for (std::size_t pos; (pos = ws.find(t)) != std::string::npos;) ws.replace(pos, t.size(), v);
    };
    for (const char* t : {"namespace", "tenant", "environment", "stage", "region", "attributes"})
      token(std::string("{") + t + "}", from_template ? "" : str_of(vars.get(t)));
    std::string comp = sc.component;
    std::string base_comp = base.empty() ? comp : base;
    token("{base-component}", base_comp);
    token("{component-path}", replace_all(comp, '/', "-"));
    token("{component}", comp);
    token("{terraform_workspace}", str_of(meta.get("terraform_workspace")));
    token("{workspace}", prefix);
  } else if (!str_of(meta.get("terraform_workspace")).empty()) {
    ws = str_of(meta.get("terraform_workspace"));
  } else {
    ws = base.empty() ? prefix : prefix + "-" + sc.component;
  }
  return replace_all(ws, '/', "-");
}

// `describe stacks` computes the workspace as upstream's describe_stacks_component_processor.go does, which differs
// from `terraform`/`describe component`: its context has no component or base component (so none is appended
// and `{component}`, `{base-component}` … become empty), the name-pattern context holds the stack's vars only
// when the stack name came from `name_pattern`, and an explicit `metadata.terraform_workspace` drops an
// inherited pattern or template (applyTerraformMetadataInheritance).
std::string StackEngine::describe_stacks_workspace(const StackComponent& sc) const {
  const Value& section = sc.section;
  Value enabled = cfg_.get({"components", "terraform", "workspaces_enabled"});
  if ((enabled.is_bool() && !enabled.as_bool()) || str_of(section.get("backend_type")) == "http") return "default";
  Value meta = section.get("metadata");
  bool explicit_workspace = meta.get("terraform_workspace").is_string();
  std::string ws;
  if (!explicit_workspace && meta.get("terraform_workspace_template").is_string()) {
    ws = renderer_("terraform_workspace_template", meta.get("terraform_workspace_template").as_string(), section, false);
  } else if (!explicit_workspace && meta.get("terraform_workspace_pattern").is_string()) {
    ws = meta.get("terraform_workspace_pattern").as_string();
    Value declared = sc.manifest->merged.get("name");
    bool pattern_context = !(declared.is_string() && !declared.as_string().empty()) && cfg_.name_template.empty() &&
                           !cfg_.name_pattern.empty();
    Value vars = section.get("vars");
    auto var = [&](const char* name) { return pattern_context ? str_of(vars.get(name)) : std::string(); };
    std::string attributes;
    if (pattern_context && vars.get("attributes").is_list()) {
      for (const auto& a : vars.get("attributes").as_list())
        attributes += (attributes.empty() ? "" : "-") + (a.is_string() ? a.as_string() : describe_value(a));
    }
    const std::pair<std::string, std::string> tokens[] = {
        {"{base-component}", ""}, {"{component}", ""},          {"{component-path}", ""},
        {"{namespace}", var("namespace")}, {"{environment}", var("environment")}, {"{region}", var("region")},
        {"{tenant}", var("tenant")},       {"{stage}", var("stage")},             {"{workspace}", ""},
        {"{terraform_workspace}", ""},     {"{attributes}", attributes}};
    // strings.NewReplacer: one left-to-right pass, replaced text is not scanned again.
    std::string out;
    for (std::size_t i = 0; i < ws.size();) {
      bool replaced = false;
      for (const auto& [token, value] : tokens) {
        if (ws.compare(i, token.size(), token) == 0) {
          out += value;
          i += token.size();
          replaced = true;
          break;
        }
      }
      if (!replaced) out += ws[i++];
    }
    ws = out;
  } else if (explicit_workspace) {
    ws = meta.get("terraform_workspace").as_string();
  } else {
    ws = sc.stack.empty() ? sc.manifest->file_key : sc.stack;
  }
  return replace_all(ws, '/', "-");
}

Value StackEngine::render_section_templates(const StackComponent& sc, const Value& section) const {
  if (!cfg_.templates_enabled) return section;
  const std::string left = [&] {
    Value d = cfg_.get({"templates", "settings", "delimiters"});
    return d.is_list() && d.size() == 2 && d.as_list()[0].is_string() ? d.as_list()[0].as_string() : std::string("{{");
  }();
  const Value* data = &section;
  std::function<Value(const Value&)> walk = [&](const Value& v) -> Value {
    if (v.tag() == "!literal") return v;
    if (v.is_string()) {
      if (v.as_string().find(left) == std::string::npos) return v;
      try {
        Value rendered(renderer_("component", v.as_string(), *data, false));
        return v.mark() ? rendered.with_mark(*v.mark()) : rendered;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Template) throw;
        throw Error(ErrorKind::Template, "failed to process templates of component '" + sc.component + "' in stack '" +
                                             sc.stack + "' (manifest '" + sc.manifest->abs_path + "'): " + e.message());
      }
    }
    if (v.is_map()) {
      Map out;
      bool changed = false;
      for (const auto& [k, item] : v.as_map()) {
        Value nv = walk(item);
        changed |= nv.identity() != item.identity();
        out.emplace_back(k, std::move(nv));
      }
      return changed ? Value::sorted_map(std::move(out)) : v;
    }
    if (v.is_list()) {
      List out;
      bool changed = false;
      for (const auto& item : v.as_list()) {
        Value nv = walk(item);
        changed |= nv.identity() != item.identity();
        out.push_back(std::move(nv));
      }
      return changed ? Value::list(std::move(out)) : v;
    }
    return v;
  };
  // templates.settings.evaluations: each pass renders the previous pass's result with it as the data (templates
  // that produce templates).
  Value passes = cfg_.get({"templates", "settings", "evaluations"});
  std::int64_t evaluations = passes.kind() == Kind::Int ? std::clamp<std::int64_t>(passes.as_int(), 1, 10) : 1;
  Value out = walk(section);
  for (std::int64_t i = 1; i < evaluations; ++i) {
    Value previous = out;
    data = &previous;
    out = walk(previous);
  }
  return out;
}

Value StackEngine::decorate_common(const StackComponent& sc, const Value& component_info, bool describe_stacks) const {
  Value file_key(sc.manifest->file_key);
  Value stack(sc.stack);
  // Already in key order, so one linear merge with the (sorted) section builds the result.
  Map added{{"atmos_component", Value(sc.component)}, {"atmos_manifest", file_key}, {"atmos_stack", stack},
            {"atmos_stack_file", file_key}};
  if (!component_info.is_null()) added.emplace_back("component_info", component_info);
  added.emplace_back("stack", stack);
  added.emplace_back("workspace", Value(describe_stacks ? describe_stacks_workspace(sc) : workspace(sc)));
  const Map& base = sc.section.as_map();
  Map m;
  m.reserve(base.size() + added.size());
  auto a = added.begin();
  for (const auto& entry : base) {
    while (a != added.end() && a->first < entry.first) m.push_back(*a++);
    if (a != added.end() && a->first == entry.first) {
      m.push_back(*a++);
      continue;
    }
    m.push_back(entry);
  }
  while (a != added.end()) m.push_back(*a++);
  return Value::sorted_map(std::move(m));
}

StackComponent StackEngine::find_component(const std::string& component, const std::string& stack) {
  if (stack.empty())
    throw Error(ErrorKind::Usage, "stack is required; specify it on the command line using the flag --stack <stack> (shorthand -s)");
  std::vector<StackComponent> candidates;
  std::vector<std::string> filename_matches;  // canonical names of manifests whose file key equals `stack`
  for (const auto& m : manifests()) {
    const Value* section = m.terraform.find(component);
    if (!section) continue;
    std::string name;
    try {
      name = stack_name(m, *section);
    } catch (const Error& e) {
      log::debug("skipping manifest {} for component {}: {}", m.file_key, component, e.message());
      continue;
    }
    if (name == stack) {
      candidates.push_back(StackComponent{&m, component, *section, name});
    } else if (m.file_key == stack) {
      filename_matches.push_back(name);
    }
  }
  if (candidates.empty()) {
    if (!filename_matches.empty()) {
      Error e(ErrorKind::Stack, "invalid stack");
      e.explain("Stack " + stack + " not found.");
      e.hint("Did you mean " + filename_matches.front() + "?");
      e.hint("Run atmos list stacks to see all available stacks.");
      throw e;
    }
    std::vector<std::string> stacks = list_stacks();
    Error e(ErrorKind::Stack, "invalid component");
    e.explain("Could not find the component `" + component + "` in the stack `" + stack +
              "`.\nCheck that all the context variables are correctly defined in the stack manifests.\n"
              "Are the component and stack names correct? Did you forget an import?");
    if (std::find(stacks.begin(), stacks.end(), stack) == stacks.end()) {
      auto near = closest_names(stack, stacks);
      if (!near.empty()) e.hint("Did you mean stack `" + near.front() + "`?");
      e.hint("Run atmos list stacks to see all available stacks.");
    } else {
      std::vector<std::string> names;
      for (const auto& m : manifests()) {
        for (const auto& [c, s] : m.terraform.as_map()) {
          try {
            if (stack_name(m, s) == stack) names.push_back(c);
          } catch (const Error&) {
          }
        }
      }
      auto near = closest_names(component, names);
      if (!near.empty()) e.hint("Did you mean component `" + near.front() + "`?");
      e.hint("Run atmos list components -s " + stack + " to see the components of the stack.");
    }
    throw e;
  }
  if (candidates.size() > 1) {
    Value first = comparable(candidates[0].section);
    std::vector<std::string> files;
    bool same = true;
    for (const auto& c : candidates) {
      files.push_back(c.manifest->file_key);
      if (comparable(c.section) != first) same = false;
    }
    if (!same) {
      std::string list;
      for (const auto& f : files) list += (list.empty() ? "" : ", ") + f;
      throw Error(ErrorKind::Stack, "duplicate component configuration")
          .explain("Found duplicate config for the component `" + component + "` in the stack `" + stack +
                   "` in the manifests: " + list);
    }
  }
  return candidates.front();
}

Value StackEngine::describe_component(const StackComponent& sc, const std::vector<std::string>& cli_args,
                                      bool provenance) {
  Value v = decorate_common(sc, Value());
  List imports;
  for (const auto& i : sc.manifest->imports) imports.emplace_back(i);
  v = v.with("imports", Value::list(imports));
  if (provenance) {
    List dl;
    for (const auto& d : component_dependencies(*sc.manifest, sc.component, sc.section)) dl.emplace_back(d);
    v = v.with("deps", Value::list(dl));
    v = v.with("deps_all", Value::list(dl));
    v = v.with("sources", config_sources(*sc.manifest, sc.component, sc.section));
  }
  v = v.with("component_type", Value("terraform"));
  v = render_section_templates(sc, with_integration_names(sc, v));
  if (functions_) v = functions_->evaluate(sc, v);
  std::string folder = str_of(v.get("component"));
  std::string dir = (fs::path(cfg_.terraform_dir_abs) / folder).lexically_normal().string();
  Map info{{"component_path", Value(dir)}, {"component_type", Value("terraform")}};
  if (provenance) info.emplace_back("terraform_config", inspect_terraform_module(dir));
  v = v.with("component_info", Value::map(std::move(info)));
  List args;
  for (const auto& a : cli_args) args.emplace_back(a);
  v = v.with("cli_args", Value::list(args));
  v = v.with("tf_cli_vars", Value::empty_map());
  v = v.with("atmos_cli_config", config::atmos_cli_config_dump(cfg_));
  return v;
}

Value StackEngine::referenced_section(const StackComponent& sc) const {
  return render_section_templates(sc, with_integration_names(sc, decorate_common(sc, Value())));
}

Value StackEngine::with_integration_names(const StackComponent& sc, Value section) const {
  IntegrationNames names(cfg_);
  std::string spacelift = names.spacelift_stack(sc.stack, sc.component, section);
  if (!spacelift.empty()) section = section.with("spacelift_stack", Value(spacelift));
  std::string atlantis = names.atlantis_project(sc.component, section);
  if (!atlantis.empty()) section = section.with("atlantis_project", Value(atlantis));
  return section;
}

Value StackEngine::describe_stacks(const DescribeStacksOptions& opts) {
  if (!opts.component_types.empty() &&
      std::find(opts.component_types.begin(), opts.component_types.end(), "terraform") == opts.component_types.end())
    return Value::empty_map();
  std::map<std::string, Map> stacks;
  std::vector<std::pair<StackComponent, Value>> rendered;
  for (const auto& m : manifests()) {
    for (const auto& [name, section] : m.terraform.as_map()) {
      if (!opts.components.empty() && std::find(opts.components.begin(), opts.components.end(), name) == opts.components.end())
        continue;
      std::string stack;
      try {
        stack = stack_name(m, section);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Template) throw;
        stack = m.file_key;
      }
      if (!opts.stack.empty() && opts.stack != stack && opts.stack != m.file_key) continue;
      StackComponent sc{&m, name, section, stack};
      std::string path = cfg_.terraform_base_path + "/" + str_of(section.get("component"));
      Value info = Value::map({{"component_path", Value(fs::path(path).lexically_normal().string())},
                               {"component_type", Value("terraform")}});
      Value v = render_section_templates(sc, decorate_common(sc, info, true));
      if (!opts.sections.empty()) {
        Map filtered;
        for (const auto& [k, item] : v.as_map())
          if (std::find(opts.sections.begin(), opts.sections.end(), k) != opts.sections.end()) filtered.emplace_back(k, item);
        v = Value::sorted_map(std::move(filtered));
      }
      rendered.emplace_back(sc, v);
    }
  }
  // Functions are evaluated only for the components the filters kept, after all of them are known (so the
  // states they reference are fetched together).
  if (functions_) functions_->prepare(rendered);
  for (auto& [sc, v] : rendered)
    stacks[sc.stack].emplace_back(sc.component, functions_ ? functions_->evaluate(sc, v) : v);
  Map out;
  for (auto& [stack, comps] : stacks) {
    if (comps.empty() && !opts.include_empty_stacks) continue;
    Value terraform = Value::map(std::move(comps));
    out.emplace_back(stack, Value::map({{"components", Value::map({{"terraform", terraform}})}}));
  }
  return Value::sorted_map(std::move(out));
}

std::vector<std::string> StackEngine::list_stacks() {
  std::set<std::string> names;
  for (const auto& m : manifests()) {
    for (const auto& [name, section] : m.terraform.as_map()) {
      (void)name;
      try {
        names.insert(stack_name(m, section));
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Template) throw;
        names.insert(m.file_key);
      }
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace atmos::stacks
