// The `hooks` section of a component (upstream pkg/hooks): the `store` kind, which writes Terraform outputs (or
// literals) to a store of atmos.yaml after a successful `terraform apply`/`deploy`:
//
//   hooks:
//     store-outputs:
//       events: [after-terraform-apply]
//       command: store            # or `kind: store`
//       name: acme-ssm            # a store in atmos.yaml
//       outputs:
//         vpc_id: .vpc_id         # `.name`: the Terraform output `name`; anything else is written as written
//
// Nothing else is run, and nothing silently: any other hook (another kind, or a store hook with another event) is
// reported by the Terraform guard (terraform/guard.hpp), which stops the command unless --ignore-unsupported; a store
// hook whose store atmos.yaml lacks, or without outputs, stops it before Terraform runs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/cli_config.hpp"
#include "core/value.hpp"
#include "functions/cloud.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {

struct StoreHook {
  std::string name;   // the hook's key
  std::string store;  // stores.<store> in atmos.yaml
  std::vector<std::pair<std::string, std::string>> outputs;  // key → `.output` or a literal, in key order
};

// The component's store hooks that run after an apply (terraform::runs_store_hook), checked. Throws Error naming the
// hook, component and stack for a missing store or malformed outputs.
std::vector<StoreHook> store_hooks(const config::CliConfig& cfg, const stacks::StackComponent& sc, const Value& section);

// After a successful apply: reads the component's outputs once and writes each hook's keys to its store.
void run_store_hooks(functions::CloudFunctions& cloud, const stacks::StackComponent& sc, const std::vector<StoreHook>& hooks);

}  // namespace atmos::cli
