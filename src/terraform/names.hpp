// Where a Terraform component lives and what the files atmos generates for it are called (upstream internal/exec/path_utils.go).
#pragma once

#include <string>

namespace atmos::terraform {

struct ComponentPaths {
  std::string component;        // last `/`-segment of the Atmos component name
  std::string folder_prefix;    // the segments before it (or before the base component's last segment)
  std::string final_component;  // the Terraform directory's own name
  std::string base_component;   // path of the base component; empty when the component is its own base
  std::string dir;              // absolute component directory
  std::string varfile;          // bare file names inside `dir`
  std::string planfile;
};

// `atmos_component` is the name given on the command line, `terraform_component` the final section's `component`
// (metadata.component or the legacy base, defaulting to the Atmos name), `stack` the canonical stack name.
// Quirk kept from upstream: the file stem uses the Atmos name's last segment with the base component's prefix.
ComponentPaths component_paths(const std::string& atmos_component, const std::string& terraform_component,
                               const std::string& stack, const std::string& terraform_dir_abs);

}  // namespace atmos::terraform
