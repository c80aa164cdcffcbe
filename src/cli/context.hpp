// What every command needs: the parsed arguments, the loaded configuration, logging set up.
#pragma once

#include <string>
#include <vector>

#include "cli/args.hpp"
#include "config/cli_config.hpp"
#include "functions/cloud.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {

// Applies --chdir, loads the configuration from global flags + environment and configures logging.
config::CliConfig load_config(const ParsedArgs& args);

// A stack engine that lives until the process exits, so its trees are released by the OS rather than
// node by node (that teardown costs ~10% of a large `describe stacks`). `cfg` must live as long.
stacks::StackEngine& process_engine(const config::CliConfig& cfg);

// Evaluates YAML functions in `engine`'s describe_component / describe_stacks from now on, with the command's
// --process-functions, --skip and --identity (cli/functions.cpp). Returns the functions that reach AWS and
// Terraform (they live as long as the process), for what else the command does with them (store hooks).
functions::CloudFunctions& install_functions(stacks::StackEngine& engine, const config::CliConfig& cfg, const ParsedArgs& args);

// Writes a Value to stdout as "yaml" or "json"; anything else is a usage error.
void print_value(const Value& v, const std::string& format);

// The `atmos list` renderers (cli/list.cpp). print_rows: a table (TTY), tab-separated values without a header (no
// TTY), or json/yaml/csv/tsv rows (`delimiter` replaces csv's and tsv's).
void print_rows(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                const std::string& format, const std::string& delimiter = "");
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
// Lines of cells joined by `delimiter`, after the header when one is given.
void print_delimited(const std::vector<std::string>* header, const std::vector<std::vector<std::string>>& rows,
                     const std::string& delimiter);
// Sorts rows by `--sort` (else $ATMOS_LIST_SORT): "column:asc|desc,...", upstream's pkg/list/sort.
void sort_rows(const ParsedArgs& args, const std::vector<std::string>& header, std::vector<std::vector<std::string>>& rows);

int cmd_describe(const std::vector<std::string>& args);
int cmd_list(const std::vector<std::string>& args);
// `list instances|metadata|values|vars|settings` (cli/list_instances.cpp); -1 for any other subcommand.
int list_extended(const std::string& sub, const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);
// `atmos workflow` and what `describe workflows` / `list workflows` read (cli/workflow.cpp).
int cmd_workflow(const std::vector<std::string>& args);
Value describe_workflows_value(const config::CliConfig& cfg, const std::string& output);
std::vector<Value> workflow_rows(const config::CliConfig& cfg, const std::string& file_filter);

}  // namespace atmos::cli
