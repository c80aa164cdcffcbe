// `atmos list stacks|components`.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "cli/affected.hpp"
#include "cli/context.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {

using Row = std::vector<std::string>;

void print_table(const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const Row& r) {
    for (std::size_t i = 0; i < r.size(); ++i)
      std::printf("%-*s%s", static_cast<int>(i < width.size() ? width[i] : 0), r[i].c_str(), i + 1 == r.size() ? "\n" : "  ");
  };
  line(header);
  for (const auto& r : rows) line(r);
}

void print_delimited(const Row* header, const std::vector<Row>& rows, const std::string& delimiter) {
  auto line = [&](const Row& r) {
    std::string out;
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? delimiter : "") + r[i];
    std::printf("%s\n", out.c_str());
  };
  if (header) line(*header);
  for (const auto& r : rows) line(r);
}

// Upstream's renderer (pkg/list/renderer). Piped table output is values only, tab-separated, no header (its
// formatPlainList); a terminal gets an aligned table.
void print_rows(const Row& header, const std::vector<Row>& rows, const std::string& format, const std::string& delimiter) {
  if (format == "json" || format == "yaml") {
    List items;
    for (const auto& r : rows) {
      Map m;
      for (std::size_t i = 0; i < header.size() && i < r.size(); ++i) m.emplace_back(header[i], Value(r[i]));
      items.push_back(Value::map(std::move(m)));
    }
    print_value(Value::list(std::move(items)), format);
  } else if (format == "csv" || format == "tsv") {
    print_delimited(&header, rows, delimiter.empty() ? (format == "csv" ? "," : "\t") : delimiter);
  } else if (!format.empty() && format != "table") {
    throw Error(ErrorKind::Usage, "invalid '--format' flag '" + format + "'. Valid values are: table, json, yaml, csv, tsv");
  } else if (isatty(STDOUT_FILENO)) {
    print_table(header, rows);
  } else {
    print_delimited(nullptr, rows, "\t");
  }
  std::fflush(stdout);
}

// Upstream's pkg/list/sort: "column:order,..." with the column's first letter upper-cased, applied as a stable
// sort per key from the last to the first, strings compared bytewise.
void sort_rows(const ParsedArgs& args, const Row& header, std::vector<Row>& rows) {
  std::string spec = args.get("sort");
  if (!args.has("sort")) spec = ProcessEnvironment().get("ATMOS_LIST_SORT").value_or("");
  auto trim = [](std::string t) {
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
    return t;
  };
  std::vector<std::pair<std::size_t, bool>> keys;  // column, descending
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string part = trim(spec.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    std::size_t colon = part.find(':');
    if (colon == std::string::npos)
      throw Error(ErrorKind::Usage, "invalid sort spec \"" + part + "\", expected format 'column:order'")
          .hint("For example --sort 'stack:asc,component:desc'");
    std::string column = trim(part.substr(0, colon));
    if (!column.empty()) column[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(column[0])));
    std::string order = trim(part.substr(colon + 1));
    std::transform(order.begin(), order.end(), order.begin(), [](unsigned char c) { return std::tolower(c); });
    if (order != "asc" && order != "ascending" && order != "desc" && order != "descending")
      throw Error(ErrorKind::Usage, "invalid sort order \"" + order + "\", expected 'asc' or 'desc'");
    auto it = std::find(header.begin(), header.end(), column);
    if (it == header.end()) {
      std::string names;
      for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
      throw Error(ErrorKind::Usage, "cannot sort by column \"" + column + "\": it is not one of the columns (" + names + ")");
    }
    keys.emplace_back(static_cast<std::size_t>(it - header.begin()), order[0] == 'd');
  }
  for (auto k = keys.rbegin(); k != keys.rend(); ++k)
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      const std::string& x = k->first < a.size() ? a[k->first] : "";
      const std::string& y = k->first < b.size() ? b[k->first] : "";
      return k->second ? y < x : x < y;
    });
}

namespace {

int list_stacks(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"component", 'c', false}, {"format", 'f', false}, {"stack", 's', false}, {"sort", 0, false}});
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
  Row header = component.empty() ? Row{"Stack"} : Row{"Stack", "Component"};
  sort_rows(args, header, rows);
  print_rows(header, rows, args.get("format"));
  return 0;
}

int list_components(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"stack", 's', false}, {"format", 'f', false}, {"abstract", 0, true}, {"sort", 0, false}});
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
  Row header{"Component", "Type", "Stacks"};
  sort_rows(args, header, rows);
  print_rows(header, rows, args.get("format"));
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
