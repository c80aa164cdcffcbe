// `atmos list stacks|components`.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "cli/affected.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {

using Row = std::vector<std::string>;

// Non-TTY default: values only, tab-separated, no header (upstream's plain renderer). TTY: aligned table.
void print_rows(const Row& header, const std::vector<Row>& rows, const std::string& format) {
  if (format == "json" || format == "yaml") {
    List items;
    for (const auto& r : rows) {
      Map m;
      for (std::size_t i = 0; i < header.size(); ++i) m.emplace_back(header[i], Value(r[i]));
      items.push_back(Value::map(std::move(m)));
    }
    print_value(Value::list(std::move(items)), format);
    return;
  }
  if (format == "csv" || format == "tsv") {
    char sep = format == "csv" ? ',' : '\t';
    for (std::size_t i = 0; i < header.size(); ++i) std::printf("%s%c", header[i].c_str(), i + 1 == header.size() ? '\n' : sep);
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) std::printf("%s%c", r[i].c_str(), i + 1 == r.size() ? '\n' : sep);
    return;
  }
  if (!format.empty() && format != "table")
    throw Error(ErrorKind::Usage, "invalid '--format' flag '" + format + "'. Valid values are: table, json, yaml, csv, tsv");
  if (!isatty(STDOUT_FILENO)) {
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) std::printf("%s%c", r[i].c_str(), i + 1 == r.size() ? '\n' : '\t');
    return;
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const Row& r) {
    for (std::size_t i = 0; i < r.size(); ++i)
      std::printf("%-*s%s", static_cast<int>(width[i]), r[i].c_str(), i + 1 == r.size() ? "\n" : "  ");
  };
  line(header);
  for (const auto& r : rows) line(r);
}

namespace {

int list_stacks(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"component", 'c', false}, {"format", 'f', false}, {"stack", 's', false}});
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  std::string component = args.get("component");
  std::vector<Row> rows;
  if (component.empty()) {
    for (const auto& s : engine.list_stacks()) rows.push_back({s});
  } else {
    std::set<std::string> names;
    for (const auto& m : engine.manifests())
      if (const Value* sec = m.terraform.find(component)) names.insert(engine.stack_name(m, *sec));
    for (const auto& s : names) rows.push_back({s, component});
  }
  if (rows.empty()) {
    log::info("No stacks found");
    std::fputs("No stacks found\n", stderr);
    return 0;
  }
  print_rows(component.empty() ? Row{"Stack"} : Row{"Stack", "Component"}, rows, args.get("format"));
  return 0;
}

int list_components(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"stack", 's', false}, {"format", 'f', false}, {"abstract", 0, true}});
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  std::string stack_filter = args.get("stack");
  bool abstract = args.flag("abstract");
  std::map<std::string, std::set<std::string>> stacks_of;
  for (const auto& m : engine.manifests()) {
    for (const auto& [name, section] : m.terraform.as_map()) {
      if (!abstract && section.at({"metadata", "type"}) == Value("abstract")) continue;
      std::string stack;
      try {
        stack = engine.stack_name(m, section);
      } catch (const Error&) {
        stack = m.file_key;
      }
      if (!stack_filter.empty() && stack != stack_filter) continue;
      stacks_of[name].insert(stack);
    }
  }
  std::vector<Row> rows;
  for (const auto& [name, stacks] : stacks_of) rows.push_back({name, "terraform", std::to_string(stacks.size())});
  if (rows.empty()) {
    std::fputs("No components found\n", stderr);
    return 0;
  }
  print_rows({"Component", "Type", "Stacks"}, rows, args.get("format"));
  return 0;
}

}  // namespace

int cmd_list(const std::vector<std::string>& args) {
  if (args.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos list\": stacks or components");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "stacks") return list_stacks(rest);
  if (args[0] == "components") return list_components(rest);
  if (args[0] == "affected") return list_affected(rest);
  if (int code = list_extended(args[0], rest); code >= 0) return code;
  throw Error(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos list\"");
}

}  // namespace atmos::cli
