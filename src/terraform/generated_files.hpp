// The documents atmos writes into a component directory (upstream internal/exec/terraform_generate_*.go). Pure functions over Value trees;
// writing them is FileSystem's job, and `to_json` renders them exactly as upstream's encoder does.
#pragma once

#include <optional>
#include <string>

#include "core/value.hpp"

namespace atmos::terraform {

// `backend.tf.json`: {"terraform": {"backend": {<type>: <backend>}}}, or {"terraform": {"cloud": <backend>}} for
// Terraform Cloud with `{terraform_workspace}` replaced by `workspace`. Throws Error when `backend_type` is empty.
Value backend_document(const std::string& backend_type, const Value& backend, const std::string& workspace);

// `providers_override.tf.json`: {"provider": providers}, where `aws.use1`-style keys are grouped with their base as
// an array under `aws` (base block first, then the aliases in key order, each given `alias: use1` unless set).
Value provider_override_document(const Value& providers);

// `terraform_override.tf.json` with `required_version` / `required_providers`, or nullopt when neither is set.
// Throws Error when a required provider has no `source`.
std::optional<Value> terraform_override_document(const std::string& required_version, const Value& required_providers);

// The bytes of a generated file: indented JSON and one newline, as upstream's json.Encoder writes it.
std::string file_text(const Value& document);

}  // namespace atmos::terraform
