// `atmos list instances|metadata` (one row per component instance, columns from Go templates) and `atmos list
// values|vars|settings` (one column per stack), as upstream's pkg/list and pkg/list/format.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "cli/context.hpp"
#include "cli/matrix.hpp"
#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/json_emit.hpp"
#include "stacks/engine.hpp"
#include "stacks/yq.hpp"

namespace atmos::cli {
namespace {

using Row = std::vector<std::string>;
struct Column {
  std::string name;
  std::string value;  // Go template over the row's data
};

const char* const kFormats = "table, json, yaml, csv, tsv";

void check_format(const std::string& format, bool matrix) {
  static const std::set<std::string> kKnown = {"", "table", "json", "yaml", "csv", "tsv"};
  if (kKnown.count(format) || (matrix && format == "matrix")) return;
  throw Error(ErrorKind::Usage, "invalid format '" + format + "'. Valid formats are: " + kFormats + (matrix ? ", matrix" : ""));
}

// Upstream's formatValue: strings bare, lists comma-joined, maps as compact JSON.
std::string cell(const Value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.as_string();
  if (v.is_list()) {
    std::string out;
    for (const auto& item : v.as_list()) out += (out.empty() ? "" : ",") + cell(item);
    return out;
  }
  return to_json(v, JsonStyle::Compact);
}

// --columns "Name={{ .template }}" > atmos.yaml `list.<kind>.columns` > `components.list.columns` > defaults.
std::vector<Column> columns_for(const config::CliConfig& cfg, const ParsedArgs& args, const std::string& kind,
                                std::vector<Column> defaults) {
  if (args.has("columns")) {
    std::vector<Column> out;
    for (const auto& spec : args.values.at("columns")) {
      auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error(ErrorKind::Usage, "invalid column specification '" + spec + "': expected Name={{ .template }}");
      out.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
    }
    return out;
  }
  for (const Value& configured : {cfg.get({"list", kind, "columns"}), cfg.get({"components", "list", "columns"})}) {
    if (!configured.is_list() || configured.empty()) continue;
    std::vector<Column> out;
    for (const auto& c : configured.as_list()) {
      Value name = c.get("name"), value = c.get("value");
      if (!name.is_string() || !value.is_string())
        throw Error(ErrorKind::Config, "invalid list column configuration: every column needs a 'name' and a 'value'");
      out.push_back({name.as_string(), value.as_string()});
    }
    return out;
  }
  return defaults;
}

bool stack_matches(const std::string& pattern, const std::string& stack) {
  if (pattern.empty()) return true;
  if (pattern.find_first_of("*?[") == std::string::npos) return pattern == stack;
  return glob_match(pattern, stack);
}

// One map per component instance, the fields upstream's extract.Metadata gives each row.
std::vector<Value> instance_rows(const Value& stacks, bool include_abstract) {
  std::vector<Value> out;
  for (const auto& [stack, data] : stacks.as_map()) {
    Value components = data.at({"components", "terraform"});
    if (!components.is_map()) continue;
    for (const auto& [name, section] : components.as_map()) {
      Value metadata = section.get("metadata").is_map() ? section.get("metadata") : Value::empty_map();
      std::string type = metadata.get("type").is_string() ? metadata.get("type").as_string() : "real";
      if (type == "abstract" && !include_abstract) continue;
      bool enabled = metadata.get("enabled") != Value(false), locked = metadata.get("locked") == Value(true);
      std::string base = metadata.get("component").is_string() ? metadata.get("component").as_string() : "";
      std::string inherits;
      if (metadata.get("inherits").is_list())
        for (const auto& i : metadata.get("inherits").as_list())
          if (i.is_string()) inherits += (inherits.empty() ? "" : ", ") + i.as_string();
      std::string status = locked ? "locked" : enabled ? "enabled" : "disabled";
      Value description = metadata.get("description");
      out.push_back(Value::map({{"stack", Value(stack)},
                                {"component", Value(name)},
                                {"component_type", Value("terraform")},
                                {"component_folder", Value(base.empty() ? name : base)},
                                {"type", Value(type)},
                                {"enabled", Value(enabled)},
                                {"locked", Value(locked)},
                                {"component_base", Value(base)},
                                {"inherits", Value(inherits)},
                                {"description", description.is_string() ? description : Value("")},
                                {"status", Value(status)},
                                {"status_text", Value(status)},
                                {"metadata", metadata},
                                {"vars", section.get("vars")},
                                {"settings", section.get("settings")},
                                {"env", section.get("env")}}));
    }
  }
  return out;
}

struct RowCommand {
  std::string kind;                     // instances | metadata
  std::vector<Column> default_columns;
  std::vector<std::string> sort_by;     // default sort columns (when present)
  bool include_abstract;
};

int list_row_command(const std::vector<std::string>& argv, const RowCommand& command) {
  bool instances = command.kind == "instances";
  std::vector<FlagSpec> specs = {{"format", 'f', false},  {"columns", 0, false},           {"delimiter", 0, false},
                                 {"stack", 's', false},   {"query", 'q', false},           {"process-templates", 0, true},
                                 {"process-functions", 0, true}, {"skip", 0, false},       {"identity", 'i', false},
                                 {"sort", 0, false}};
  if (instances) specs.push_back({"output-file", 0, false});
  ParsedArgs args = parse_args(argv, specs);
  if (!args.positionals.empty())
    throw Error(ErrorKind::Usage, "unknown command \"" + args.positionals[0] + "\" for \"atmos list " + command.kind + "\"");
  std::string format = args.get("format");
  check_format(format, instances);
  if (args.has("output-file") && format != "matrix")
    throw Error(ErrorKind::Usage, "--output-file is only supported with --format=matrix");
  if (format == "matrix" && args.has("query")) throw Error(ErrorKind::Usage, "--query is not supported with --format=matrix");
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  Value all = engine.describe_stacks({});
  Map selected;
  for (const auto& [stack, data] : all.as_map())
    if (stack_matches(args.get("stack"), stack)) selected.emplace_back(stack, data);
  Value stacks = Value::map(std::move(selected));
  if (format == "matrix") {
    // The instances the table lists: abstract components are never run, so they are not matrix entries either
    // (upstream's list instances puts every component of describe stacks in the matrix).
    std::vector<MatrixEntry> entries;
    for (auto& e : matrix_entries(stacks))
      if (stacks.at({e.stack, "components", e.component_type, e.component, "metadata", "type"}) != Value("abstract"))
        entries.push_back(std::move(e));
    write_matrix(entries, args.get("output-file"));
    return 0;
  }
  std::vector<Column> columns = columns_for(cfg, args, command.kind, command.default_columns);
  auto render = stacks::go_template_renderer(cfg);
  Row header;
  for (const auto& c : columns) header.push_back(c.name);
  std::vector<Row> rows;
  for (Value data : instance_rows(stacks, command.include_abstract)) {
    if (args.has("query")) {
      // The query runs over each row: null or false drops the row, a map becomes the row's data (upstream's
      // YQ projector), anything else keeps the row as it is.
      Value projected = stacks::yq_evaluate(data, args.get("query"));
      if (projected.is_null() || projected == Value(false)) continue;
      if (projected.is_map()) data = projected;
    }
    Row r;
    for (const auto& c : columns) {
      try {
        r.push_back(render("column " + c.name, c.value, data, false));
      } catch (const Error& e) {
        throw Error(ErrorKind::Config, "invalid template for the list column '" + c.name + "': " + e.message());
      }
    }
    rows.push_back(std::move(r));
  }
  std::vector<std::size_t> keys;
  for (const auto& name : command.sort_by) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      keys.clear();
      break;
    }
    keys.push_back(static_cast<std::size_t>(it - header.begin()));
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    for (auto k : keys)
      if (a[k] != b[k]) return a[k] < b[k];
    return false;
  });
  if (rows.empty() && (format.empty() || format == "table")) {
    std::fprintf(stderr, "No %s found\n", instances ? "instances" : "metadata");
    return 0;
  }
  sort_rows(args, header, rows);
  print_rows(header, rows, format, args.get("delimiter"));
  return 0;
}

// `list values|vars COMPONENT` and `list settings [COMPONENT]`: {stack: value}, one column per stack
// (upstream's FilterAndListValues and pkg/list/format).
int list_stack_columns(const std::vector<std::string>& argv, const std::string& what) {
  ParsedArgs args = parse_args(argv, {{"format", 'f', false},
                                      {"delimiter", 0, false},
                                      {"query", 'q', false},
                                      {"abstract", 0, true},
                                      {"max-columns", 0, false},
                                      {"stack", 's', false},
                                      {"process-templates", 0, true},
                                      {"process-functions", 0, true},
                                      {"skip", 0, false},
                                      {"identity", 'i', false}});
  bool settings = what == "settings";
  if (!settings && args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  if (args.positionals.size() > 1) throw Error(ErrorKind::Usage, "invalid arguments. The command accepts at most one argument `component`");
  std::string format = args.get("format");
  check_format(format, false);
  long max_columns = settings ? 50 : 10;
  if (args.has("max-columns")) {
    try {
      max_columns = std::stol(args.get("max-columns"));
    } catch (const std::exception&) {
      throw Error(ErrorKind::Usage, "invalid argument \"" + args.get("max-columns") + "\" for \"--max-columns\" flag");
    }
  }
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  Value all = engine.describe_stacks({});
  std::string component = args.positionals.empty() ? "" : args.positionals[0];
  Map values;
  for (const auto& [stack, data] : all.as_map()) {
    if (!stack_matches(args.get("stack"), stack)) continue;
    Value components = data.at({"components", "terraform"});
    if (!components.is_map()) continue;
    Value v;
    if (!component.empty()) {
      Value section = components.get(component);
      if (!section.is_map()) continue;
      if (!args.flag("abstract") && section.at({"metadata", "type"}) == Value("abstract")) continue;
      v = args.has("query") ? stacks::yq_evaluate(section, args.get("query")) : section.get(settings ? "settings" : "vars");
    } else {
      // Without a component: the first component's (alphabetically) settings in the stack.
      for (const auto& [name, section] : components.as_map()) {
        Value s = args.has("query") ? stacks::yq_evaluate(section, args.get("query")) : section.get("settings");
        if (!s.is_null() && !(s.is_map() && s.empty())) {
          v = s;
          break;
        }
      }
    }
    if (v.is_null() || (settings && v.is_map() && v.empty())) continue;
    values.emplace_back(stack, v);
  }
  if (values.empty()) {
    std::string subject = settings ? "settings" : "values for component '" + component + "'";
    throw Error(ErrorKind::Stack, "no " + subject + " found" + (component.empty() ? "" : " in any stack"));
  }
  if (max_columns > 0 && values.size() > static_cast<std::size_t>(max_columns)) values.resize(static_cast<std::size_t>(max_columns));
  Value data = Value::map(values);
  if (format == "json" || format == "yaml") {
    print_value(data, format);
    return 0;
  }
  // Rows are the keys of the first stack's value (or one `value` row for scalars), columns the stacks.
  Row header{"Key"};
  for (const auto& [stack, v] : data.as_map()) header.push_back(stack);
  std::vector<std::string> keys;
  const Value& first = data.as_map().front().second;
  if (first.is_map())
    for (const auto& [k, v] : first.as_map()) keys.push_back(k);
  else
    keys.push_back("value");
  std::vector<Row> rows;
  for (const auto& key : keys) {
    Row r{key};
    for (const auto& [stack, v] : data.as_map()) r.push_back(v.is_map() ? cell(v.get(key)) : cell(v));
    rows.push_back(std::move(r));
  }
  if (format == "csv" || format == "tsv")
    print_delimited(&header, rows, args.get("delimiter", format == "csv" ? "," : "\t"));
  else if (isatty(STDOUT_FILENO))
    print_table(header, rows);
  else
    print_delimited(&header, rows, "\t");
  std::fflush(stdout);
  return 0;
}

// `list workflows [-f FILE]` (upstream's cmd/list/workflows.go): columns File, Workflow, Description, Steps.
int list_workflows(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"file", 0, false}, {"format", 'f', false}, {"columns", 0, false}, {"delimiter", 0, false},
                                      {"sort", 0, false}});
  std::string format = args.get("format");
  check_format(format, false);
  config::CliConfig cfg = load_config(args);
  // --columns > atmos.yaml `workflows.list.columns` > defaults.
  std::vector<Column> columns = {{"File", "{{ .file }}"}, {"Workflow", "{{ .workflow }}"},
                                 {"Description", "{{ .description }}"}, {"Steps", "{{ .steps }}"}};
  Value configured = cfg.get({"workflows", "list", "columns"});
  if (args.has("columns")) {
    columns = columns_for(cfg, args, "workflows", columns);
  } else if (configured.is_list() && !configured.empty()) {
    columns.clear();
    for (const auto& c : configured.as_list()) columns.push_back({cell(c.get("name")), cell(c.get("value"))});
  }
  auto render = stacks::go_template_renderer(cfg);
  Row header;
  for (const auto& c : columns) header.push_back(c.name);
  std::vector<Row> rows;
  for (const auto& data : workflow_rows(cfg, args.get("file"))) {
    Row r;
    for (const auto& c : columns) r.push_back(render("column " + c.name, c.value, data, false));
    rows.push_back(std::move(r));
  }
  if (rows.empty() && (format.empty() || format == "table")) {
    std::fputs("No workflows found\n", stderr);
    return 0;
  }
  sort_rows(args, header, rows);
  print_rows(header, rows, format, args.get("delimiter"));
  return 0;
}

}  // namespace

int list_extended(const std::string& sub, const std::vector<std::string>& argv) {
  if (sub == "instances")
    return list_row_command(argv, {"instances", {{"Component", "{{ .component }}"}, {"Stack", "{{ .stack }}"}}, {"Component", "Stack"}, false});
  if (sub == "metadata")
    return list_row_command(argv, {"metadata",
                                   {{"Stack", "{{ .stack }}"},
                                    {"Component", "{{ .component }}"},
                                    {"Type", "{{ .type }}"},
                                    {"Enabled", "{{ .enabled }}"},
                                    {"Locked", "{{ .locked }}"},
                                    {"Component (base)", "{{ .component_base }}"},
                                    {"Inherits", "{{ .inherits }}"},
                                    {"Description", "{{ .description }}"}},
                                   {"Stack", "Component"},
                                   true});
  if (sub == "values" || sub == "vars" || sub == "settings") return list_stack_columns(argv, sub);
  if (sub == "workflows") return list_workflows(argv);
  return -1;
}

}  // namespace atmos::cli
