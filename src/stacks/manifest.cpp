#include "stacks/manifest.hpp"

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/mount.hpp"
#include "core/hcl.hpp"
#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "core/merge.hpp"
#include "core/yaml_load.hpp"
#include "stacks/functions.hpp"
#include "stacks/locals.hpp"
#include "stacks/yq.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

bool exists_file(const std::string& p) { return path_kind(p) == PathKind::File; }

std::string clean(const std::string& p) { return fs::path(p).lexically_normal().string(); }

// Go's filepath.Ext.
std::string go_ext(const std::string& p) {
  for (std::size_t i = p.size(); i > 0; --i) {
    char c = p[i - 1];
    if (c == '/') return "";
    if (c == '.') return p.substr(i - 1);
  }
  return "";
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* kSupportedTags =
    "!exec, !store, !store.get, !template, !terraform.output, !terraform.state, !env, !include, !include.raw, "
    "!repo-root, !cwd, !random, !literal, !append, !unset, !secret, !aws.*, !git.*";

std::string context_key(const Value& context) {
  if (context.is_null() || context.empty()) return "";
  return to_json(context, JsonStyle::Compact);
}

// Sets `overrides` on every terraform component defined in a file's own content.
Value set_component_overrides(const Value& content, const Value& ov) {
  Value comps = content.at({"components", "terraform"});
  if (!comps.is_map() || comps.empty()) return content;
  Map out;
  for (const auto& [name, section] : comps.as_map())
    out.emplace_back(name, section.is_map() ? section.with("overrides", ov) : section);
  Value components = content.get("components").with("terraform", Value::sorted_map(std::move(out)));
  return content.with("components", components);
}

// One file's `overrides`, `terraform` and `terraform.overrides` as upstream's ProcessYAMLConfigFile checks them: a
// present section that is not a map (null included) fails with its message, naming the file relative to the
// stacks base.
Value map_section(const Value& parent, const char* key, const char* error, const std::string& abs_path,
                  const std::string& stacks_base) {
  const Value* v = parent.find(key);
  if (!v) return Value::empty_map();
  if (!v->is_map()) {
    std::string relative = fs::path(abs_path).lexically_relative(stacks_base).string();
    throw Error(ErrorKind::Stack, std::string(error) + " in the stack manifest '" + relative + "'");
  }
  return *v;
}

}  // namespace

bool is_deferred_function_tag(const std::string& tag) {
  static const char* const kTags[] = {
      "!exec",     "!store",     "!store.get", "!template", "!terraform.output", "!terraform.state", "!env",
      "!repo-root", "!cwd",      "!random",    "!unset",    "!secret",           "!tags",            "!labels",
      "!version",  "!cel",       "!emulator",  "!literal",
  };
  for (const char* t : kTags)
    if (tag == t) return true;
  for (const char* prefix : {"!aws.", "!git.", "!labels.", "!atmos."})
    if (tag.rfind(prefix, 0) == 0) return true;
  return false;
}


ManifestProcessor::ManifestProcessor(const config::CliConfig& cfg, TemplateRenderer renderer)
    : cfg_(cfg), renderer_(std::move(renderer)) {}

void ManifestProcessor::export_parses(ParsedFiles& out) const {
  for (const auto& [path, value] : parsed_) {
    ParsedFile& f = out[path];
    f.value = value;
    if (auto it = included_by_.find(path); it != included_by_.end()) f.included = it->second;
  }
}

std::string ManifestProcessor::file_key(const std::string& abs_path) const {
  std::string rel = fs::path(abs_path).lexically_relative(cfg_.stacks_base_abs).string();
  if (rel.empty() || rel.rfind("..", 0) == 0) rel = abs_path;
  if (ends_with(rel, ".yaml")) rel.resize(rel.size() - 5);
  else if (ends_with(rel, ".yml")) rel.resize(rel.size() - 4);
  return rel;
}

ProcessedManifest ManifestProcessor::process_top_level(const std::string& abs_path) {
  std::vector<std::string> chain;
  top_level_ = abs_path;
  imports_processed_ = 0;
  auto r = process(abs_path, Value(), false, false, Value::empty_map(), Value::empty_map(), chain);
  return ProcessedManifest{r->merged, r->imports, r->own_content, r->import_contents, r->included};
}

Value ManifestProcessor::include_file(const std::string& arg, const std::string& file, bool raw) {
  // Upstream's pkg/function/parser ParseInclude: the first (optionally quoted) word is the path, the rest the query.
  auto tokens = tokenize_function_args(arg);
  if (tokens.empty()) throw Error(ErrorKind::Stack, "invalid !include function in file '" + file + "': the path is missing");
  std::string path = unquote_function_arg(tokens[0].text);
  std::string query = tokens.size() > 1 ? unquote_function_arg(std::string_view(arg).substr(tokens[1].offset)) : "";
  if (path.find("://") != std::string::npos || path.rfind("git::", 0) == 0)
    throw Error(ErrorKind::Stack, "the !include function in file '" + file + "' references the remote '" + path +
                                      "': only local files are supported");
  std::string resolved;
  if (path.rfind("./", 0) == 0 || path.rfind("../", 0) == 0) {
    resolved = clean((fs::path(file).parent_path() / path).string());
  } else if (!path.empty() && path[0] == '/') {
    resolved = path;
  } else if (exists_file(clean((fs::current_path() / path).string()))) {
    resolved = clean((fs::current_path() / path).string());
  } else {
    resolved = clean((fs::path(cfg_.base_path_abs) / path).string());
  }
  if (!exists_file(resolved))
    throw Error(ErrorKind::Stack, "the !include function could not find '" + path + "' (referenced in file '" + file + "')");
  std::string text = read_manifest_file(resolved);
  included_by_[file].insert(resolved);
  Value v;
  if (raw) {
    v = Value(text);
  } else {
    std::string ext = go_ext(resolved);
    if (ext == ".yaml" || ext == ".yml") {
      v = parse_yaml(text, resolved);
    } else if (ext == ".json") {
      v = parse_json(text, true);
    } else if (ext == ".hcl" || ext == ".tf" || ext == ".tfvars") {
      v = hcl::read_attributes(text, resolved);
    } else {
      v = Value(text);
    }
  }
  if (query.empty()) return v;
  try {
    return yq_evaluate(v, query);
  } catch (const Error& e) {
    throw Error(ErrorKind::Stack, "invalid !include query in file '" + file + "': " + e.message());
  }
}

Value ManifestProcessor::apply_parse_time_tags(const Value& v, const std::string& file) {
  const std::string& tag = v.tag();
  if (!tag.empty()) {
    if (tag == "!include" || tag == "!include.raw") {
      if (!v.is_string()) throw Error(ErrorKind::Stack, "invalid " + tag + " function in file '" + file + "': the argument must be a string");
      return include_file(v.as_string(), file, tag == "!include.raw");
    }
    if (tag == "!append") {
      if (!v.is_list()) throw Error(ErrorKind::Stack, "the !append tag must be used on a sequence (file '" + file + "')");
    } else if (is_deferred_function_tag(tag)) {
      // !literal keeps its tag so that template rendering leaves the value as written.
      if (tag == "!literal") return v;
      if (v.is_string()) {
        Value call(v.as_string().empty() ? tag : tag + " " + v.as_string());
        return v.mark() ? call.with_mark(*v.mark()) : call;
      }
    } else if (tag.rfind("!!", 0) != 0) {
      std::string line = v.mark() && v.mark()->line ? " (line " + std::to_string(v.mark()->line) + ")" : "";
      throw Error(ErrorKind::Stack, "unsupported YAML tag: '" + tag + "' found in file '" + file + "'" + line +
                                        ". Supported tags are: " + kSupportedTags);
    }
  }
  if (v.is_map()) {
    Map out;
    out.reserve(v.size());
    bool changed = false;
    for (const auto& [k, item] : v.as_map()) {
      Value nv = apply_parse_time_tags(item, file);
      changed |= nv.identity() != item.identity();
      out.emplace_back(k, std::move(nv));
    }
    return changed ? Value::sorted_map(std::move(out)) : v;
  }
  if (v.is_list()) {
    List out;
    out.reserve(v.size());
    bool changed = false;
    for (const auto& item : v.as_list()) {
      Value nv = apply_parse_time_tags(item, file);
      changed |= nv.identity() != item.identity();
      out.push_back(std::move(nv));
    }
    if (!changed) return v;
    Value l = Value::list(std::move(out));
    return tag == "!append" ? l.with_tag("!append") : l;
  }
  return v;
}

Value ManifestProcessor::load_file(const std::string& abs_path, const Value& context, bool skip_templates,
                                   bool ignore_missing) {
  bool is_tmpl = ends_with(abs_path, ".tmpl");
  bool render = !skip_templates && (is_tmpl || (!context.is_null() && !context.empty()));
  if (!render) {
    auto it = parsed_.find(abs_path);
    if (it != parsed_.end()) return it->second;
    if (seed_) {
      if (auto s = seed_->find(abs_path); s != seed_->end()) {
        if (!s->second.included.empty()) included_by_[abs_path] = s->second.included;
        return parsed_[abs_path] = s->second.value;
      }
    }
  }
  std::string text = read_manifest_file(abs_path);
  // A file with `locals` has its templates rendered value by value with the locals, its own settings/vars/env
  // and the import context (stacks/locals.hpp) instead of as one text.
  if (!skip_templates && text.find("locals") != std::string::npos) {
    Value raw;
    try {
      raw = parse_yaml(text, abs_path);
    } catch (const std::exception&) {
      raw = Value();  // a template file that is YAML only once rendered: the text path below reports errors
    }
    if (raw.is_map() && has_file_locals(raw)) {
      Value v = apply_file_locals(apply_parse_time_tags(raw, abs_path), file_key(abs_path), context, renderer_);
      if (!render) parsed_[abs_path] = v;
      return v;
    }
  }
  if (render) {
    try {
      text = renderer_(file_key(abs_path), text, context.is_null() ? Value::empty_map() : context, !ignore_missing);
    } catch (const Error& e) {
      throw Error(ErrorKind::Template, "failed to render stack manifest '" + abs_path + "': " + e.message());
    }
  }
  Value v;
  try {
    v = parse_yaml(text, abs_path);
  } catch (const YamlError& e) {
    Error err(ErrorKind::Yaml, "invalid stack manifest '" + file_key(abs_path) + "'");
    err.explain(e.located(abs_path));
    throw err;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Yaml) throw;
    Error err(ErrorKind::Yaml, "invalid stack manifest '" + file_key(abs_path) + "'");
    err.explain(abs_path + ": " + e.message());
    throw err;
  }
  if (v.is_null()) v = Value::empty_map();
  if (!v.is_map()) throw Error(ErrorKind::Stack, "invalid stack manifest '" + abs_path + "': the root must be a map");
  v = apply_parse_time_tags(v, abs_path);
  if (!render) parsed_[abs_path] = v;
  return v;
}

std::vector<std::string> ManifestProcessor::resolve_import(const std::string& raw, const std::string& importing_file,
                                                           bool& is_template) {
  is_template = raw.find("{{") != std::string::npos;
  std::string first = raw.substr(0, raw.find('/'));
  std::string p = (first == "." || first == "..") ? clean((fs::path(importing_file).parent_path() / raw).string())
                                                  : clean((fs::path(cfg_.stacks_base_abs) / raw).string());
  std::string ext = go_ext(p);
  if (ext.empty()) {
    for (const char* e : {".yaml", ".yml", ".yaml.tmpl", ".yml.tmpl"})
      if (exists_file(p + e)) return {p + e};
    p += ".yaml";
  } else if (ext == ".yaml" || ext == ".yml") {
    if (exists_file(p + ".tmpl")) return {p + ".tmpl"};
  }
  if (has_glob_meta(p)) {
    std::vector<std::string> out;
    for (auto& m : glob(p))
      if (exists_file(m)) out.push_back(m);
    return out;
  }
  if (exists_file(p)) return {p};
  return {};
}

std::shared_ptr<const ManifestProcessor::Result> ManifestProcessor::process(const std::string& abs_path,
                                                                          const Value& context, bool skip_templates,
                                                                          bool ignore_missing, const Value& parent_inline,
                                                                          const Value& parent_imported,
                                                                          std::vector<std::string>& chain) {
  std::string key = abs_path + '\x1f' + context_key(context) + '\x1f' + context_key(parent_inline) + '\x1f' +
                    context_key(parent_imported) + (skip_templates ? "S" : "") + (ignore_missing ? "I" : "");
  if (auto it = processed_.find(key); it != processed_.end()) return it->second;

  if (std::find(chain.begin(), chain.end(), abs_path) != chain.end()) {
    std::string cycle;
    auto start = std::find(chain.begin(), chain.end(), abs_path);
    for (auto it = start; it != chain.end(); ++it) cycle += file_key(*it) + " -> ";
    cycle += file_key(abs_path);
    Error e(ErrorKind::Stack, "import cycle detected");
    e.explain("The stack manifests import each other in a cycle: " + cycle);
    throw e;
  }
  chain.push_back(abs_path);
  if (++imports_processed_ > limits::kImportsPerManifest) {
    Error e(ErrorKind::Stack, "the stack manifest '" + file_key(top_level_) + "' imports too many files");
    e.explain("Processing it reached " + std::to_string(limits::kImportsPerManifest) +
              " imports (every file counts each time it is processed with a different context or overrides), the "
              "import fan-out limit for one stack manifest (see docs/limits.md); the last one was '" +
              file_key(abs_path) + "'.");
    throw e;
  }

  log::trace("Processing stack manifest file={} context_keys={}", file_key(abs_path), context.size());
  Value content = load_file(abs_path, context, skip_templates, ignore_missing);
  auto result = std::make_shared<Result>();
  if (auto it = included_by_.find(abs_path); it != included_by_.end()) result->included = it->second;
  std::vector<Value> layers;
  const std::string& base = cfg_.stacks_base_abs;
  Value terraform = map_section(content, "terraform", "invalid terraform section", abs_path, base);
  Value inline_ov = deep_merge({map_section(content, "overrides", "invalid overrides section", abs_path, base),
                                map_section(terraform, "overrides", "invalid terraform overrides section", abs_path, base),
                                parent_inline});
  Value imported_ov = parent_imported;

  if (const Value* imports = content.find("import")) {
    if (!imports->is_list() && !imports->is_null())
      throw Error(ErrorKind::Stack, "invalid 'import' section in the file '" + file_key(abs_path) + "'")
          .explain("The 'import' section must be a list of strings or import objects.");
    for (const auto& item : imports->as_list()) {
      std::string path;
      Value import_context;
      bool import_skip_templates = skip_templates;
      bool import_ignore_missing = ignore_missing;
      bool skip_if_missing = false;
      if (item.is_string()) {
        path = item.as_string();
      } else if (item.is_map()) {
        Value p = item.get("path");
        if (p.is_string()) path = p.as_string();
        import_context = item.get("context");
        if (item.get("skip_templates_processing").is_bool()) import_skip_templates = item.get("skip_templates_processing").as_bool();
        if (item.get("ignore_missing_template_values").is_bool()) import_ignore_missing = item.get("ignore_missing_template_values").as_bool();
        if (item.get("skip_if_missing").is_bool()) skip_if_missing = item.get("skip_if_missing").as_bool();
      } else if (!item.is_null()) {
        throw Error(ErrorKind::Stack, "invalid import in the file '" + file_key(abs_path) + "'")
            .explain("Each import must be a string or a map with a 'path'.");
      }
      if (path.empty())
        throw Error(ErrorKind::Stack, "invalid empty import in the file '" + file_key(abs_path) + "'");
      // The parent's context wins and flows down the whole chain.
      Value merged_context = deep_merge(import_context, context);
      bool is_template = false;
      std::vector<std::string> files = resolve_import(path, abs_path, is_template);
      if (files.empty()) {
        if (skip_if_missing || is_template) continue;
        Error e(ErrorKind::Stack, "stack import not found");
        e.explain("import '" + path + "' in file '" + file_key(abs_path) + "': failed to find import");
        e.hint("Check the path (relative to the stacks base path '" + cfg_.stacks_base_path +
               "', or to the importing file when it starts with ./ or ../)");
        throw e;
      }
      // All matches of one import see the same overrides (upstream processes them in parallel).
      std::vector<std::shared_ptr<const Result>> subs;
      for (const auto& f : files) {
        if (f == abs_path) throw Error(ErrorKind::Stack, "stack manifest imports itself: '" + file_key(abs_path) + "'");
        subs.push_back(process(f, merged_context, import_skip_templates, import_ignore_missing, inline_ov, imported_ov, chain));
        result->imports.insert(file_key(f));
        result->imports.insert(subs.back()->imports.begin(), subs.back()->imports.end());
        result->import_contents.emplace(file_key(f), subs.back()->own_content);
        result->import_contents.insert(subs.back()->import_contents.begin(), subs.back()->import_contents.end());
        result->included.insert(subs.back()->included.begin(), subs.back()->included.end());
      }
      for (const auto& sub : subs) {
        imported_ov = deep_merge({imported_ov, sub->imported_overrides, sub->inline_overrides});
        layers.push_back(sub->merged);
      }
    }
  }
  Value final_ov = deep_merge(imported_ov, inline_ov);
  Value own = content.without("import");
  if (!final_ov.empty()) own = set_component_overrides(own, final_ov);
  layers.push_back(own);
  result->own_content = own;
  result->merged = deep_merge(layers, cfg_.list_merge_strategy);
  result->inline_overrides = inline_ov;
  result->imported_overrides = imported_ov;
  chain.pop_back();
  processed_[key] = result;
  return result;
}

}  // namespace atmos::stacks
