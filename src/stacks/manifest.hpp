// Stack manifests: parse-time YAML tags, imports (docs/stacks.md#parsing-and-imports) and the deep merge of a
// manifest with everything it imports.
//
// ManifestProcessor is not thread-safe; it caches parsed files and processed import results, so one
// instance per command run. Templates (`.tmpl` files, import `context`) go through the TemplateRenderer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/cli_config.hpp"
#include "core/value.hpp"

namespace atmos::stacks {

// Tags that upstream evaluates after merging (`!terraform.output`, `!secret`, `!aws.*`, …); at parse time a value
// so tagged becomes the string "<tag> <value>".
bool is_deferred_function_tag(const std::string& tag);

// Renders a Go template; `missing_key_error` selects missingkey=error (else default).
using TemplateRenderer =
    std::function<std::string(const std::string& name, const std::string& text, const Value& data, bool missing_key_error)>;

// The result of processing one manifest with its imports.
struct ProcessedManifest {
  Value merged;                      // deep merge of every import (in order) and the file itself
  std::set<std::string> imports;     // every visited import key (transitive), without the file itself
  Value own_content;                 // the file's own content (parse-time tags applied, no imports)
  std::map<std::string, Value> import_contents;  // import key → that file's own content (for provenance)
  std::set<std::string> included;    // absolute paths of the files it and its imports read with !include
};

// A file as parsed without template context (parse-time tags applied), with the files its !include tags read.
struct ParsedFile {
  Value value;
  std::set<std::string> included;
};
using ParsedFiles = std::map<std::string, ParsedFile>;  // absolute path → parse

class ManifestProcessor {
 public:
  ManifestProcessor(const config::CliConfig& cfg, TemplateRenderer renderer);

  // Parses another processor made of files with the same bytes (the base side of describe affected): used
  // instead of reading and parsing those paths again. `seed` must outlive the processor.
  void reuse_parses(const ParsedFiles* seed) { seed_ = seed; }
  // Adds this processor's parses to `out`.
  void export_parses(ParsedFiles& out) const;

  // Processes a top-level manifest (absolute path).
  ProcessedManifest process_top_level(const std::string& abs_path);

  // Stack file key of an absolute manifest path: relative to the stacks base, `.yaml`/`.yml` stripped.
  std::string file_key(const std::string& abs_path) const;

 private:
  // Overrides travel as upstream's ProcessYAMLConfigFile does: a file's inline overrides (its own
  // `overrides` under `terraform.overrides`, under its parent's inline overrides) flow down into its imports,
  // and the overrides of the imports processed so far flow into later imports; the components defined in a
  // file's own content get `overrides = merge(imported overrides, inline overrides)`.
  struct Result {
    Value merged;
    std::set<std::string> imports;
    Value inline_overrides;
    Value imported_overrides;
    Value own_content;
    std::map<std::string, Value> import_contents;
    std::set<std::string> included;
  };

  std::shared_ptr<const Result> process(const std::string& abs_path, const Value& context, bool skip_templates,
                                        bool ignore_missing, const Value& parent_inline, const Value& parent_imported,
                                        std::vector<std::string>& chain);
  Value load_file(const std::string& abs_path, const Value& context, bool skip_templates, bool ignore_missing);
  Value apply_parse_time_tags(const Value& v, const std::string& file);
  Value include_file(const std::string& arg, const std::string& file, bool raw);
  std::vector<std::string> resolve_import(const std::string& path, const std::string& importing_file, bool& is_template);

  const config::CliConfig& cfg_;
  TemplateRenderer renderer_;
  std::map<std::string, Value> parsed_;                               // path → parsed file (no context)
  std::map<std::string, std::set<std::string>> included_by_;         // path → files its !include tags read
  const ParsedFiles* seed_ = nullptr;
  std::map<std::string, std::shared_ptr<const Result>> processed_;  // path + context → result
  std::string top_level_;              // the manifest process_top_level is working on
  std::size_t imports_processed_ = 0;  // its imports processed so far (limits::kImportsPerManifest)
};


}  // namespace atmos::stacks
