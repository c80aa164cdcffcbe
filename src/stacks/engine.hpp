// The stack engine: finds top-level manifests, processes them, names stacks, resolves
// `<component> -s <stack>` and builds the `describe stacks` tree (docs/stacks.md).
//
// One StackEngine per command run; it caches processed manifests. Not thread-safe.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/cli_config.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/value.hpp"
#include "stacks/manifest.hpp"

namespace atmos::stacks {

struct Manifest {
  std::string abs_path;
  std::string file_key;
  Value merged;                      // the manifest merged with its imports
  std::vector<std::string> imports;  // sorted
  Value terraform;                   // {component → final section}
  Value own_content;                 // the manifest's own content
  std::map<std::string, Value> import_contents;  // import key → its own content
  std::set<std::string> included;                // absolute paths read with !include (by it or its imports)
};

// A component of a manifest with its canonical stack name.
struct StackComponent {
  const Manifest* manifest = nullptr;
  std::string component;
  Value section;  // final section before decorations
  std::string stack;  // canonical name (docs/stacks.md#stack-names)
};

// Template functions that need the stack engine and the outside world: `atmos.Component <component> <stack>`
// (the component's section with its `outputs`) and `atmos.Store <store> <stack> <component> <key>`. Filled in by
// the commands that evaluate functions; until then calling them is an error naming the function.
struct TemplateHooks {
  std::function<Value(const std::string& component, const std::string& stack)> component;
  std::function<Value(const std::string& store, const std::string& stack, const std::string& component, const std::string& key)> store;
};

// Evaluates the YAML functions of decorated component sections (stacks/functions.hpp); installed by the
// commands that evaluate them.
class SectionFunctions {
 public:
  virtual ~SectionFunctions() = default;
  // Every section describe_stacks is about to evaluate, first, so what they reference can be fetched at once.
  virtual void prepare(const std::vector<std::pair<StackComponent, Value>>& sections) = 0;
  virtual Value evaluate(const StackComponent& sc, const Value& section) = 0;
};

class StackEngine {
 public:
  StackEngine(const config::CliConfig& cfg, TemplateRenderer renderer);

  // Absolute paths of all top-level manifests, in discovery order (docs/stacks.md#finding-the-manifests).
  std::vector<std::string> find_manifests() const;

  // Every top-level manifest processed, sorted by file key. Throws the first failing manifest's error (in
  // discovery order).
  const std::vector<Manifest>& manifests();

  // The manifests that processed, sorted by file key; the errors of those that did not go to `errors`, in
  // discovery order (`validate stacks` reports them all).
  const std::vector<Manifest>& manifests(std::vector<Error>& errors);

  // Canonical stack name for a component of a manifest (docs/stacks.md#stack-names). Throws Error on template/pattern errors.
  std::string stack_name(const Manifest& m, const Value& section) const;

  // The one component instance for `-s stack` (docs/stacks.md#finding-a-component-in-a-stack); throws Error (invalid stack / component / duplicate).
  StackComponent find_component(const std::string& component, const std::string& stack);

  // The decorated section as `describe component` / `terraform` see it (before output filtering).
  // `provenance` adds what only a description needs: `sources`, `deps` and the module's `terraform_config`
  // (Terraform runs skip them).
  Value describe_component(const StackComponent& sc, const std::vector<std::string>& cli_args, bool provenance = true);

  // The section decorated (atmos_*, stack, workspace) with templates rendered and no functions evaluated: what
  // a YAML function that references this component reads (backend, workspace, auth).
  Value referenced_section(const StackComponent& sc) const;

  // `describe stacks` tree: {stack: {components: {terraform: {name: section}}}}.
  struct DescribeStacksOptions {
    std::string stack;                       // filter (stack name or file key)
    std::vector<std::string> components;     // filter
    std::vector<std::string> component_types;
    std::vector<std::string> sections;       // filter of section keys
    bool include_empty_stacks = false;
  };
  Value describe_stacks(const DescribeStacksOptions& opts);

  // Sorted unique canonical stack names.
  std::vector<std::string> list_stacks();

  // Workspace name (docs/stacks.md#finding-a-component-in-a-stack).
  std::string workspace(const StackComponent& sc) const;

  // Renders templates inside a decorated component section (docs/decisions.md, "Templates inside component sections") when templates are enabled.
  // Template errors name the component, the stack and the manifest file.
  Value render_section_templates(const StackComponent& sc, const Value& section) const;

  const config::CliConfig& config() const { return cfg_; }

  // Keeps what the worker threads parse while the manifests load, for parses() (call before they load; other
  // commands do not pay for the copy).
  void retain_parses() { retain_parses_ = true; }
  // Every file parsed without template context while loading the manifests (ManifestProcessor::export_parses);
  // the worker threads' parses only with retain_parses().
  ParsedFiles parses();
  // Parses of files known to have the same bytes to use instead of reading them (set before the manifests load).
  void reuse_parses(std::shared_ptr<const ParsedFiles> seed) {
    seed_ = std::move(seed);
    processor_.reuse_parses(seed_.get());
  }

  // YAML functions are evaluated in describe_component and describe_stacks when set (`functions` must outlive
  // the engine's use); left as "<tag> <arguments>" strings otherwise.
  void set_functions(SectionFunctions* functions) { functions_ = functions; }
  // The hooks the engine's template renderer calls (see go_template_renderer); null when it has none.
  void set_template_hooks(std::shared_ptr<TemplateHooks> hooks) { hooks_ = std::move(hooks); }
  const std::shared_ptr<TemplateHooks>& template_hooks() const { return hooks_; }

 private:
  std::string name_from_pattern(const Manifest& m, const Value& section) const;
  // The section plus atmos_component, atmos_manifest, atmos_stack(_file), stack, workspace and, when not
  // null, component_info.
  Value decorate_common(const StackComponent& sc, const Value& component_info, bool describe_stacks = false) const;
  // `spacelift_stack` and `atlantis_project` when the settings name them, added before templates render so that
  // `{{ .spacelift_stack }}` resolves (upstream's computeSpaceliftAndAtlantisNames, internal/exec/utils.go).
  Value with_integration_names(const StackComponent& sc, Value section) const;
  std::string describe_stacks_workspace(const StackComponent& sc) const;

  const config::CliConfig& cfg_;
  TemplateRenderer renderer_;
  ManifestProcessor processor_;
  void load_manifests();

  std::optional<std::vector<Manifest>> manifests_;
  std::vector<std::exception_ptr> manifest_errors_;  // discovery order
  bool retain_parses_ = false;
  ParsedFiles worker_parses_;                        // what the worker processors parsed (retain_parses)
  std::shared_ptr<const ParsedFiles> seed_;
  SectionFunctions* functions_ = nullptr;
  std::shared_ptr<TemplateHooks> hooks_;
};

// The TemplateRenderer backed by the Go text/template engine (with the function table available so far);
// `atmos.Component` and `atmos.Store` call through `hooks` when given.
TemplateRenderer go_template_renderer(const config::CliConfig& cfg, std::shared_ptr<TemplateHooks> hooks = nullptr);

}  // namespace atmos::stacks
