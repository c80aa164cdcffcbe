#include "cli/matrix.hpp"

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/json_emit.hpp"

namespace atmos::cli {

std::vector<MatrixEntry> matrix_entries(const Value& stacks) {
  std::vector<MatrixEntry> out;
  if (!stacks.is_map()) return out;
  for (const auto& [stack, data] : stacks.as_map()) {
    Value components = data.get("components");
    if (!components.is_map()) continue;
    for (const char* type : {"terraform", "helmfile", "packer"}) {
      Value typed = components.get(type);
      if (!typed.is_map()) continue;
      for (const auto& [name, section] : typed.as_map()) {
        Value path = section.at({"component_info", "component_path"});
        out.push_back({stack, name, path.is_string() ? path.as_string() : "", type});
      }
    }
  }
  return out;
}

std::string matrix_json(const std::vector<MatrixEntry>& entries) {
  List include;
  for (const auto& e : entries)
    include.push_back(Value::ordered_map({{"stack", Value(e.stack)},
                                          {"component", Value(e.component)},
                                          {"component_path", Value(e.component_path)},
                                          {"component_type", Value(e.component_type)}}));
  return to_json(Value::ordered_map({{"include", Value::list(std::move(include))}}), JsonStyle::Compact);
}

void write_matrix(const std::vector<MatrixEntry>& entries, const std::string& output_file) {
  std::string json = matrix_json(entries);
  if (output_file.empty()) {
    std::printf("%s\n", json.c_str());
    std::fflush(stdout);
    return;
  }
  std::FILE* f = std::fopen(output_file.c_str(), "a");
  if (!f) throw Error(ErrorKind::Io, "failed to open the output file '" + output_file + "'");
  std::fprintf(f, "matrix=%s\ncount=%zu\n", json.c_str(), entries.size());
  if (std::fclose(f) != 0) throw Error(ErrorKind::Io, "failed to write the output file '" + output_file + "'");
}

}  // namespace atmos::cli
