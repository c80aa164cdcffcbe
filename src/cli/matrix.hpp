// GitHub Actions matrix output (upstream's pkg/matrix): `{"include":[{"stack","component","component_path",
// "component_type"}]}` as compact JSON, shared by `list instances --format matrix` and other commands that emit a
// matrix.
#pragma once

#include <string>
#include <vector>

#include "core/value.hpp"

namespace atmos::cli {

struct MatrixEntry {
  std::string stack;
  std::string component;
  std::string component_path;
  std::string component_type;
};

// The entries of a `describe stacks` tree ({stack: {components: {<type>: {name: section}}}}), stacks and
// components sorted, `component_path` from each section's `component_info`.
std::vector<MatrixEntry> matrix_entries(const Value& stacks);

// The matrix document, compact, fields in upstream's order; no entries gives `{"include":[]}`.
std::string matrix_json(const std::vector<MatrixEntry>& entries);

// Prints the matrix on stdout, or with `output_file` appends `matrix=<json>` and `count=<n>` lines to it (a
// $GITHUB_OUTPUT file).
void write_matrix(const std::vector<MatrixEntry>& entries, const std::string& output_file);

}  // namespace atmos::cli
