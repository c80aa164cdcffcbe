#include "cli/help.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <cstdio>
#include <set>
#include <filesystem>

#include <sys/stat.h>

#include "auth/auth_config.hpp"
#include "core/color.hpp"
#include "auth/digest.hpp"
#include "auth/files.hpp"
#include "auth/paths.hpp"
#include "cli/args.hpp"
#include "cli/context.hpp"
#include "config/cli_config.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "core/suggest.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {
namespace {

const std::vector<HelpFlag>& global_help_flags() {
  static const std::vector<HelpFlag> kFlags = {
      {"base-path", 0, "string", "Base path for the Atmos project (ATMOS_BASE_PATH)", ""},
      {"chdir", 'C', "string", "Change to this directory before doing anything (ATMOS_CHDIR)", ""},
      {"config", 0, "strings", "Paths to configuration files (repeatable)", ""},
      {"config-path", 0, "strings", "Directories holding atmos.yaml (ATMOS_CLI_CONFIG_PATH)", ""},
      {"logs-file", 0, "string", "Where logs are written (ATMOS_LOGS_FILE)", "/dev/stderr"},
      {"logs-level", 0, "string", "Trace, Debug, Info, Warning or Off (ATMOS_LOGS_LEVEL)", "Warning"},
      {"force-color", 0, "", "Color atmos's output even when it is not a terminal (ATMOS_FORCE_COLOR, CLICOLOR_FORCE)", ""},
      {"no-color", 0, "", "Disable colors (also NO_COLOR, ATMOS_NO_COLOR or TERM=dumb)", ""},
      {"profile", 0, "strings", "Configuration profiles to activate (ATMOS_PROFILE)", ""},
  };
  return kFlags;
}

const HelpFlag kStack{"stack", 's', "string", "The stack (e.g. plat-use2-dev)", ""};
const HelpFlag kFormat{"format", 'f', "string", "Output format: yaml or json", "yaml"};
const HelpFlag kQuery{"query", 'q', "string", "A yq expression applied to the result (e.g. .vars.region)", ""};
const HelpFlag kSort{"sort", 0, "string", "Sort rows by columns: column:asc|desc,... (e.g. stack:asc,component:desc); env ATMOS_LIST_SORT", ""};
const HelpFlag kFile{"file", 0, "string", "Write the result to this file instead of stdout", ""};
const HelpFlag kTemplates{"process-templates", 0, "", "Render Go templates in manifests (ATMOS_PROCESS_TEMPLATES)", "true"};
const HelpFlag kFunctions{"process-functions", 0, "", "Evaluate YAML functions in manifests", "true"};
const HelpFlag kSkip{"skip", 0, "strings", "YAML functions to leave unevaluated (e.g. !terraform.output)", ""};
const HelpFlag kIdentity{"identity", 'i', "string", "Identity to authenticate as (bare: choose on a terminal; false: none)", ""};
const HelpFlag kMfa{"mfa-token", 0, "string", "The MFA code for an IAM user identity (ATMOS_MFA_TOKEN)", ""};
const HelpFlag kProvider{"provider", 'p', "string", "An auth provider (e.g. acme-sso)", ""};
const HelpFlag kTags{"tags", 0, "strings", "Select identities by their tags", ""};
const HelpFlag kEndpoint{"credentials-endpoint", 0, "",
                          "Serve the child credentials it can refresh (docs/credentials-endpoint.md)", "true"};
const HelpFlag kDryRun{"dry-run", 0, "", "Show what would be done without doing it", "false"};

std::vector<HelpFlag> terraform_help_flags() {
  return {kStack,
          kIdentity,
          kDryRun,
          {"skip-init", 0, "", "Do not run terraform init first", "false"},
          {"from-plan", 0, "", "Apply the planfile a previous plan wrote", "false"},
          {"planfile", 0, "string", "The planfile to write or apply", ""},
          {"skip-planfile", 0, "", "Plan without writing a planfile", "false"},
          {"init-pass-vars", 0, "", "Pass the varfile to terraform init", "false"},
          {"init-run-reconfigure", 0, "", "Run terraform init -reconfigure", "true"},
          {"auto-generate-backend-file", 0, "", "Write backend.tf.json before init", "true"},
          {"deploy-run-init", 0, "", "Run init before deploy", "true"},
          {"terraform-command", 0, "string", "The Terraform executable (e.g. tofu)", "terraform"},
          {"terraform-dir", 0, "string", "Base directory of Terraform components", ""},
          kEndpoint,
          kTemplates,
          kFunctions,
          kSkip,
          {"ignore-unsupported", 0, "", "Run although the component uses configuration this binary does not act on (hooks, source, …)", "false"}};
}

HelpCommand terraform_sub(const std::string& sub, const std::string& summary, std::vector<std::string> examples) {
  return {"terraform " + sub, summary, "terraform " + sub + " <component> -s <stack> [flags] [-- terraform-args]",
          terraform_help_flags(), std::move(examples), true};
}

// plan/apply/deploy/destroy also run on many instances, in dependency order (docs/affected.md).
HelpCommand with_many(HelpCommand c) {
  std::vector<HelpFlag> many = {
      {"all", 0, "", "Run on every component instance (with -s: of that stack)", "false"},
      {"affected", 0, "", "Run on the instances `describe affected` reports", "false"},
      {"components", 0, "strings", "Run on every instance of these components", ""},
      {"query", 'q', "string", "Run on the instances whose section makes this yq expression non-null and non-false", ""},
      {"max-concurrency", 0, "string", "Independent instances run at once", "1"},
      {"base", 0, "string", "With --affected: the branch, tag or commit to compare with", ""},
      {"ref", 0, "string", "With --affected: deprecated spelling of --base", ""},
      {"sha", 0, "string", "With --affected: deprecated spelling of --base", ""},
      {"repo-path", 0, "string", "With --affected: an already-cloned base repository", ""},
      {"clone-target-ref", 0, "", "With --affected: fetch the base from the origin remote first", "false"},
      {"ssh-key", 0, "string", "With --clone-target-ref: private key for an SSH origin (ATMOS_SSH_KEY)", ""},
      {"ssh-key-password", 0, "string", "Password of the --ssh-key (ATMOS_SSH_KEY_PASSWORD)", ""},
      {"include-dependents", 0, "", "With --affected: also run the affected instances' dependents", "false"},
      {"exclude-locked", 0, "", "With --affected: leave out instances with metadata.locked: true", "false"}};
  c.flags.insert(c.flags.end(), many.begin(), many.end());
  c.examples.push_back("atmos terraform " + c.path.substr(10) + " --affected --base main");
  return c;
}

std::vector<HelpCommand> build_tree() {
  std::vector<HelpCommand> t;
  t.push_back({"", "Universal tool for DevOps and cloud automation: stacks, AWS sign-in and Terraform", "[command]", {},
               {"atmos describe stacks -s plat-use2-dev", "atmos auth login --provider acme-sso",
                "atmos terraform plan vpc -s plat-use2-dev"}});
  t.push_back({"version", "Print the version", "version [flags]",
               {{"format", 0, "string", "Output format: json or yaml (ATMOS_VERSION_FORMAT)", ""}},
               {"atmos version", "atmos version --format json"}});
  t.push_back({"help", "Help about any command", "help [command]", {}, {"atmos help terraform plan"}});
  t.push_back({"completion", "Generate the autocompletion script for a shell", "completion [bash|zsh|fish|powershell]", {},
               {"source <(atmos completion bash)", "atmos completion zsh > \"${fpath[1]}/_atmos\"",
                "atmos completion fish > ~/.config/fish/completions/atmos.fish"}});
  t.push_back({"completion bash", "Generate the autocompletion script for bash", "completion bash", {},
               {"source <(atmos completion bash)", "atmos completion bash > /etc/bash_completion.d/atmos"}});
  t.push_back({"completion zsh", "Generate the autocompletion script for zsh", "completion zsh", {},
               {"atmos completion zsh > \"${fpath[1]}/_atmos\""}});
  t.push_back({"completion fish", "Generate the autocompletion script for fish", "completion fish", {},
               {"atmos completion fish > ~/.config/fish/completions/atmos.fish"}});
  t.push_back({"completion powershell", "Generate the autocompletion script for PowerShell", "completion powershell", {},
               {"atmos completion powershell | Out-String | Invoke-Expression"}});

  t.push_back({"describe", "Show the configuration, stacks and components as Atmos sees them", "describe [command]", {},
               {"atmos describe stacks", "atmos describe component vpc -s plat-use2-dev"}});
  t.push_back({"describe config", "Show the merged CLI configuration (atmos.yaml, profiles, environment)", "describe config [flags]",
               {kFormat, kQuery}, {"atmos describe config", "atmos describe config -f json -q .stacks"}});
  t.push_back({"describe stacks", "Show every stack with its fully merged components", "describe stacks [flags]",
               {kStack, kFormat, kFile, kQuery,
                {"components", 0, "strings", "Only these components", ""},
                {"component-types", 0, "strings", "Only these component types (terraform)", ""},
                {"sections", 0, "strings", "Only these sections (vars, env, settings, …)", ""},
                {"include-empty-stacks", 0, "", "Also print stacks without components", "false"},
                kTemplates, kFunctions, kSkip},
               {"atmos describe stacks -s plat-use2-dev", "atmos describe stacks --components vpc --sections vars -f json"}});
  t.push_back({"describe locals", "Show the file-scoped locals of a stack's manifest (or those available to a component)",
               "describe locals [component] -s <stack> [flags]", {kStack, kFormat, kFile, kQuery},
               {"atmos describe locals -s plat-use2-dev", "atmos describe locals -s catalog/tgw -q .locals.asn",
                "atmos describe locals vpc -s plat-use2-dev"}});
  t.push_back({"describe component", "Show one component in one stack, fully merged", "describe component <component> -s <stack> [flags]",
               {kStack, kFormat, kFile, kQuery, {"provenance", 0, "", "Show where each value came from", "false"},
                kTemplates, kFunctions, kSkip, kIdentity},
               {"atmos describe component vpc -s plat-use2-dev", "atmos describe component vpc -s plat-use2-dev -q .vars.cidr"}});

  std::vector<HelpFlag> affected_base = {
      {"base", 0, "string", "Branch, tag or commit to compare with (default refs/remotes/origin/HEAD)", ""},
      {"ref", 0, "string", "Deprecated: a git reference to compare with (use --base)", ""},
      {"sha", 0, "string", "Deprecated: a commit SHA to compare with (use --base)", ""},
      {"repo-path", 0, "string", "An already-cloned base repository: its HEAD is the base", ""},
      {"clone-target-ref", 0, "", "Fetch the base from the origin remote first (ATMOS_CLONE_TARGET_REF)", "false"},
      {"ssh-key", 0, "string", "PEM/OpenSSH private key for an SSH origin (ATMOS_SSH_KEY)", ""},
      {"ssh-key-password", 0, "string", "Password of the --ssh-key (ATMOS_SSH_KEY_PASSWORD)", ""},
      {"include-dependents", 0, "", "Add each affected instance's dependents (settings.depends_on)", "false"},
      {"include-settings", 0, "", "Add each instance's settings section", "false"},
      {"exclude-locked", 0, "", "Leave out instances with metadata.locked: true", "false"},
      {"include-spacelift-admin-stacks", 0, "", "Add the Spacelift admin stacks (settings.spacelift.admin_stack_selector) of affected instances", "false"},
      kStack, kTemplates, kFunctions, kSkip, kIdentity,
      {"verbose", 0, "", "Print the compared commits on stderr", "false"}};
  auto with = [](std::vector<HelpFlag> a, std::vector<HelpFlag> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const HelpFlag output_file{"output-file", 0, "string", "With --format matrix: append matrix=<json> and count=<n> to this file ($GITHUB_OUTPUT)", ""};
  t.push_back({"describe affected", "Show the component instances a change touches, compared with a base commit",
               "describe affected [flags]",
               with(affected_base, {{"format", 'f', "string", "Output format: json, yaml or matrix", "json"}, kFile, output_file, kQuery,
                                   {"upload", 0, "", "Upload the affected list (with dependents and settings) to Atmos Pro", "false"}}),
               {"atmos describe affected --base main", "atmos describe affected --format matrix --output-file $GITHUB_OUTPUT"}});
  t.push_back({"describe dependents", "Show the component instances that depend on a component in a stack",
               "describe dependents <component> -s <stack> [flags]",
               {kStack, {"format", 'f', "string", "Output format: json or yaml", "json"}, kFile, kQuery,
                {"include-settings", 0, "", "Add each dependent's settings section", "false"}, kTemplates, kFunctions, kSkip, kIdentity},
               {"atmos describe dependents vpc -s plat-use2-dev"}});
  t.push_back({"list", "List stacks and components", "list [command]", {}, {"atmos list stacks", "atmos list components -s plat-use2-dev"}});
  t.push_back({"list stacks", "List stacks (those holding a component with -c)", "list stacks [flags]",
               {{"component", 'c', "string", "Only stacks that hold this component", ""},
                {"format", 'f', "string", "Output format: table, json, yaml, csv or tsv", ""}, kStack, kSort},
               {"atmos list stacks", "atmos list stacks -c vpc"}});
  t.push_back({"list components", "List components (of one stack with -s)", "list components [flags]",
               {kStack, {"format", 'f', "string", "Output format: table, json, yaml, csv or tsv", ""},
                {"abstract", 0, "", "Include abstract components", "false"}, kSort},
               {"atmos list components", "atmos list components -s plat-use2-dev"}});

  {
    const HelpFlag list_format{"format", 'f', "string", "Output format: table, json, yaml, csv or tsv", ""};
    const HelpFlag delimiter{"delimiter", 0, "string", "Delimiter of csv/tsv output", ""};
    const HelpFlag stack_glob{"stack", 's', "string", "Only stacks matching this name or glob (e.g. plat-*-prod)", ""};
    const HelpFlag columns{"columns", 0, "strings", "Columns as Name={{ .template }} (repeatable); overrides atmos.yaml list.<command>.columns", ""};
    const HelpFlag row_query{"query", 'q', "string", "A yq path run over each row: null/false drops it, a map replaces its data", ""};
    const HelpFlag abstract{"abstract", 0, "", "Include abstract components", "false"};
    const HelpFlag value_query{"query", 'q', "string", "A yq path over the component section (e.g. .vars.region)", ""};
    t.push_back({"list instances", "List component instances (component, stack)", "list instances [flags]",
                 {{"format", 'f', "string", "Output format: table, json, yaml, csv, tsv or matrix", ""}, columns, delimiter,
                  stack_glob, row_query, {"output-file", 0, "string", "With --format matrix: append matrix= and count= lines to this file", ""},
                  kSort, kTemplates, kFunctions, kSkip, kIdentity},
                 {"atmos list instances", "atmos list instances -s 'plat-*' --format matrix",
                  "atmos list instances --columns 'Component={{ .component }}' --columns 'Region={{ .vars.region }}'"}});
    t.push_back({"list metadata", "List the metadata of every component instance", "list metadata [flags]",
                 {list_format, columns, delimiter, stack_glob, row_query, kSort, kTemplates, kFunctions, kSkip, kIdentity},
                 {"atmos list metadata", "atmos list metadata -f json", "atmos list metadata --sort locked:desc,stack:asc"}});
    t.push_back({"list values", "List a component's vars across stacks (one column per stack)", "list values <component> [flags]",
                 {list_format, delimiter, value_query, abstract, {"max-columns", 0, "int", "At most this many stacks", "10"}, stack_glob,
                  kTemplates, kFunctions, kSkip, kIdentity},
                 {"atmos list values vpc", "atmos list values vpc --query .vars.region -f json"}});
    t.push_back({"list vars", "List a component's vars across stacks (as list values)", "list vars <component> [flags]",
                 {list_format, delimiter, value_query, abstract, {"max-columns", 0, "int", "At most this many stacks", "10"}, stack_glob,
                  kTemplates, kFunctions, kSkip, kIdentity},
                 {"atmos list vars vpc", "atmos list vars vpc -f csv"}});
    t.push_back({"list settings", "List component settings across stacks (one column per stack)", "list settings [component] [flags]",
                 {list_format, delimiter, value_query, abstract, {"max-columns", 0, "int", "At most this many stacks", "50"}, stack_glob,
                  kTemplates, kFunctions, kSkip, kIdentity},
                 {"atmos list settings", "atmos list settings vpc -f json"}});
  }

  t.push_back({"workflow", "Run a workflow's steps (atmos commands and shell commands) in order",
               "workflow <name> [-f file] [flags]",
               {{"file", 'f', "string", "The workflow manifest, relative to workflows.base_path (extension optional)", ""},
                {"from-step", 0, "string", "Start at this step (skipping the ones before it)", ""}, kDryRun,
                {"stack", 's', "string", "The stack for every step (overrides the steps' and the workflow's)", ""},
                {"identity", 'i', "string", "Identity for the steps that name none", ""}},
               {"atmos workflow coldstart -f coldstart", "atmos workflow coldstart -f coldstart --from-step plat-dev",
                "atmos workflow coldstart --dry-run"}});
  t.push_back({"describe workflows", "Show the workflows under workflows.base_path", "describe workflows [flags]",
               {{"output", 'o', "string", "list ({file, workflow} pairs), map ({file: [workflow]}) or all (the manifests)", "list"},
                kFormat, kQuery},
               {"atmos describe workflows", "atmos describe workflows -o all -f json"}});
  t.push_back({"list workflows", "List the workflows under workflows.base_path", "list workflows [flags]",
               {{"file", 0, "string", "Only the workflows of this file", ""},
                {"format", 'f', "string", "Output format: table, json, yaml, csv or tsv", ""},
                {"columns", 0, "strings", "Columns as Name={{ .template }} (repeatable); overrides workflows.list.columns", ""},
                {"delimiter", 0, "string", "Delimiter of csv/tsv output", ""}, kSort},
               {"atmos list workflows", "atmos list workflows -f json"}});

  t.push_back({"list affected", "List the component instances a change touches", "list affected [flags]",
               with(affected_base, {{"format", 'f', "string", "Output format: table, json, yaml, csv, tsv or matrix", "table"}, output_file, kSort}),
               {"atmos list affected --base main", "atmos list affected --format matrix"}});

  t.push_back({"validate", "Validate stack manifests and components", "validate [command]", {}, {"atmos validate stacks"}});
  t.push_back({"validate stacks", "Process every manifest and check it against the manifest JSON Schema", "validate stacks [flags]",
               {{"schemas-atmos-manifest", 0, "string", "A JSON Schema to use instead of the embedded one", ""}},
               {"atmos validate stacks"}});
  t.push_back({"validate component", "Validate a component in a stack against its JSON Schema policies (settings.validation)",
               "validate component <component> -s <stack> [flags]",
               {kStack,
                {"schema-path", 0, "string", "A JSON Schema to use instead of the component's settings.validation", ""},
                {"schema-type", 0, "string", "The type of --schema-path: jsonschema (opa is not supported)", ""},
                {"module-paths", 0, "strings", "OPA module paths (accepted for compatibility; OPA is not supported)", ""},
                {"timeout", 0, "int", "Validation timeout in seconds (OPA only)", "0"},
                kTemplates, kFunctions, kSkip, kIdentity},
               {"atmos validate component vpc -s plat-use2-dev",
                "atmos validate component vpc -s plat-use2-dev --schema-path vpc/vpc.json --schema-type jsonschema"}});

  t.push_back({"terraform", "Run Terraform for a component in a stack, as the stack's identity",
               "terraform <subcommand> <component> -s <stack> [flags] [-- terraform-args]", terraform_help_flags(),
               {"atmos terraform plan vpc -s plat-use2-dev", "atmos terraform apply vpc -s plat-use2-dev -auto-approve",
                "atmos terraform plan vpc -s plat-use2-dev --identity=false -- -refresh=false"},
               true});
  t.push_back(with_many(terraform_sub("plan", "Show the changes Terraform would make", {"atmos terraform plan vpc -s plat-use2-dev"})));
  t.push_back(with_many(terraform_sub("apply", "Apply the component's changes", {"atmos terraform apply vpc -s plat-use2-dev", "atmos terraform apply vpc -s plat-use2-dev --from-plan"})));
  t.push_back(with_many(terraform_sub("deploy", "Apply without asking for approval (apply -auto-approve)", {"atmos terraform deploy vpc -s plat-use2-dev"})));
  t.push_back(with_many(terraform_sub("destroy", "Destroy the component's resources", {"atmos terraform destroy vpc -s plat-use2-dev"})));
  t.push_back(terraform_sub("init", "Initialize the component's working directory and backend", {"atmos terraform init vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("output", "Show the component's outputs", {"atmos terraform output vpc -s plat-use2-dev", "atmos terraform output vpc -s plat-use2-dev -- -json"}));
  t.push_back(terraform_sub("workspace", "Select (or create) the stack's Terraform workspace", {"atmos terraform workspace vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("validate", "Validate the component's Terraform configuration", {"atmos terraform validate vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("show", "Show the state or a planfile", {"atmos terraform show vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("refresh", "Update the state to match the real resources", {"atmos terraform refresh vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("import", "Import an existing resource into the state", {"atmos terraform import vpc -s plat-use2-dev aws_vpc.this vpc-0123"}));
  t.push_back(terraform_sub("state", "Advanced state management (list, show, mv, rm, …)", {"atmos terraform state list vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("console", "Interactive console for expressions", {"atmos terraform console vpc -s plat-use2-dev"}));
  t.push_back(terraform_sub("shell", "A shell in the component directory with the stack's environment", {"atmos terraform shell vpc -s plat-use2-dev"}));
  {
    std::vector<HelpFlag> flags = terraform_help_flags();
    flags.push_back({"orig", 0, "string", "The original planfile (relative to the component directory)", ""});
    flags.push_back({"new", 0, "string", "The new planfile (default: plan the current configuration)", ""});
    t.push_back({"terraform plan-diff", "Show what differs between two plans (exit 2 when they differ)",
                 "terraform plan-diff <component> -s <stack> --orig <planfile> [--new <planfile>] [flags]", flags,
                 {"atmos terraform plan-diff vpc -s plat-use2-dev --orig orig.plan",
                  "atmos terraform plan-diff vpc -s plat-use2-dev --orig orig.plan --new new.plan"},
                 true});
  }
  t.push_back({"terraform clean", "Remove what atmos generated for components (varfiles, planfiles, .terraform, generated files)",
               "terraform clean [<component>] [-s <stack>] [flags]",
               {kStack, {"everything", 0, "", "Also remove the local state of the stack's workspace (terraform.tfstate.d)", "false"},
                {"force", 'f', "", "Do not ask for confirmation", "false"},
                {"skip-lock-file", 0, "", "Keep .terraform.lock.hcl", "false"},
                {"cache", 0, "", "Instead, remove the Terraform plugin cache atmos sets (env ATMOS_TERRAFORM_CLEAN_CACHE)", "false"},
                kDryRun},
               {"atmos terraform clean vpc -s plat-use2-dev --force", "atmos terraform clean --dry-run", "atmos terraform clean --cache --force",
                "atmos terraform clean vpc -s plat-use2-dev --everything --force"}});
  t.push_back({"terraform generate", "Write generated Terraform files without running Terraform", "terraform generate [command]", {},
               {"atmos terraform generate varfile vpc -s plat-use2-dev", "atmos terraform generate backend vpc -s plat-use2-dev"}});
  t.push_back({"terraform generate varfile", "Write the component's varfile", "terraform generate varfile <component> -s <stack> [flags]",
               {kStack, {"file", 'f', "string", "Write to this file instead of the default name", ""}, kDryRun},
               {"atmos terraform generate varfile vpc -s plat-use2-dev"}});
  t.push_back({"terraform generate backend", "Write the component's backend.tf.json", "terraform generate backend <component> -s <stack> [flags]",
               {kStack, kDryRun}, {"atmos terraform generate backend vpc -s plat-use2-dev"}});
  t.push_back({"terraform generate varfiles", "Write the varfiles of all components to files named by a template",
               "terraform generate varfiles --file-template <path> [flags]",
               {{"file-template", 0, "string", "File name with {tenant}, {environment}, {stage}, {component}, … tokens", ""},
                {"stacks", 0, "strings", "Only these stacks (names or manifest paths; globs)", ""},
                {"components", 0, "strings", "Only these components", ""},
                {"format", 0, "string", "json, yaml or hcl", "json"}, kDryRun, kTemplates, kFunctions, kSkip},
               {"atmos terraform generate varfiles --file-template varfiles/{stage}/{component}.tfvars.json",
                "atmos terraform generate varfiles --file-template out/{component}.tfvars --format hcl --stacks plat-use2-dev"}});
  t.push_back({"terraform generate backends", "Write the backend configuration of all components",
               "terraform generate backends [flags]",
               {{"file-template", 0, "string", "File name with tokens (default: backend.tf[.json] in each component)", ""},
                {"stacks", 0, "strings", "Only these stacks (names or manifest paths; globs)", ""},
                {"components", 0, "strings", "Only these components", ""},
                {"format", 0, "string", "hcl, json or backend-config", "hcl"}, kDryRun, kTemplates, kFunctions, kSkip},
               {"atmos terraform generate backends", "atmos terraform generate backends --format backend-config --file-template backends/{component}.hcl"}});
  t.push_back({"terraform generate planfile", "Plan and write the plan as JSON or YAML",
               "terraform generate planfile <component> -s <stack> [flags]",
               {kStack, {"file", 'f', "string", "Where to write (relative to the component directory)", ""},
                {"format", 0, "string", "json or yaml", "json"}, kIdentity, kDryRun,
                {"skip-init", 0, "", "Do not run terraform init first", "false"},
                {"ignore-unsupported", 0, "", "Run although the component uses configuration this binary does not act on", "false"},
                kTemplates, kFunctions, kSkip},
               {"atmos terraform generate planfile vpc -s plat-use2-dev", "atmos terraform generate planfile vpc -s plat-use2-dev --format yaml -f plan.yaml"}});
  t.push_back({"terraform generate files", "Write (or with --clean remove) the files of the generate section",
               "terraform generate files [<component> -s <stack> | --all] [flags]",
               {kStack, {"all", 0, "", "Every component in every stack", "false"},
                {"stacks", 0, "strings", "With --all: only these stacks (globs over names or manifest paths)", ""},
                {"components", 0, "strings", "With --all: only these components", ""}, kDryRun,
                {"clean", 0, "", "Delete the generated files instead of writing them", "false"}},
               {"atmos terraform generate files vpc -s plat-use2-dev", "atmos terraform generate files --all --dry-run",
                "atmos terraform generate files --all --clean"}});

  t.push_back({"vendor", "Bring components into the repository from git, http(s) archives and local paths", "vendor [command]", {},
               {"atmos vendor pull", "atmos vendor pull -c vpc"}});
  t.push_back({"vendor pull", "Pull the sources of vendor.yaml (or a component's component.yaml) into their targets",
               "vendor pull [flags]",
               {{"component", 'c', "string", "Only this component (its component.yaml when vendor.yaml does not exist)", ""},
                {"tags", 0, "strings", "Only the sources carrying any of these tags", ""},
                {"type", 't', "string", "Component type (terraform)", "terraform"}, kDryRun},
               {"atmos vendor pull", "atmos vendor pull -c vpc", "atmos vendor pull --tags networking --dry-run"}});
  t.push_back({"auth", "Sign in to AWS and hand credentials to commands", "auth [command]", {},
               {"atmos auth login --provider acme-sso", "atmos auth whoami --identity plat-dev/terraform"}});
  t.push_back({"auth login", "Sign in through a provider or as an identity", "auth login [flags]", {kProvider, kIdentity, kMfa, kTags},
               {"atmos auth login --provider acme-sso", "atmos auth login --identity core-auto/terraform"}});
  t.push_back({"auth whoami", "Show who the cached credentials of an identity are (never signs in)", "auth whoami [flags]",
               {kIdentity, {"output", 'o', "string", "Output format: table or json", ""}},
               {"atmos auth whoami --identity plat-dev/terraform", "atmos auth whoami -o json"}});
  t.push_back({"auth env", "Print the environment that gives a process an identity's credentials", "auth env [flags]",
               {kIdentity, {"format", 'f', "string", "bash, dotenv, env, github, json or aws-config", "bash"},
                {"output-file", 'o', "string", "Append to this file (e.g. $GITHUB_ENV)", ""},
                {"login", 0, "", "Sign in when the credentials are missing or expired", "false"}, kMfa},
               {"eval \"$(atmos auth env --identity plat-dev/terraform)\"", "atmos auth env -f github -o \"$GITHUB_ENV\"",
                "atmos auth env --format aws-config >> ~/.aws/config"}});
  t.push_back({"auth credential-process", "Print an identity's credentials for an AWS profile's credential_process",
               "auth credential-process --identity <identity> [flags]", {kIdentity, kMfa},
               {"atmos auth credential-process --identity plat-dev/terraform",
                "aws configure set credential_process 'atmos auth credential-process --identity plat-dev/terraform' --profile plat-dev"}});
  t.push_back({"auth exec", "Run a command with an identity's credentials", "auth exec [flags] -- <command> [args…]", {kIdentity, kMfa, kEndpoint},
               {"atmos auth exec --identity plat-dev/terraform -- aws sts get-caller-identity"}, true});
  t.push_back({"auth shell", "Start a shell with an identity's credentials", "auth shell [flags] [-- shell-args]",
               {kIdentity, {"shell", 0, "string", "The shell to start ($SHELL)", ""}, kMfa, kEndpoint},
               {"atmos auth shell --identity plat-dev/terraform"}, true});
  t.push_back({"auth console", "Open the AWS console as an identity", "auth console [flags]",
               {kIdentity, {"destination", 0, "string", "Console page to open", ""},
                {"duration", 0, "string", "Console session duration", "1h"},
                {"issuer", 0, "string", "Issuer shown by the console", "atmos"},
                {"print-only", 0, "", "Print the sign-in URL instead of opening a browser", "false"},
                {"no-open", 0, "", "Do not open a browser", "false"}, kMfa},
               {"atmos auth console --identity plat-dev/terraform"}});
  t.push_back({"auth validate", "Check the auth configuration", "auth validate [flags]",
               {{"verbose", 'v', "", "Show every check", "false"}}, {"atmos auth validate"}});
  t.push_back({"auth list", "List providers and identities", "auth list [flags]",
               {{"format", 'f', "string", "tree, table, json, yaml, graphviz, mermaid or markdown", "tree"},
                {"providers", 0, "strings", "Only these providers", ""},
                {"identities", 0, "strings", "Only these identities", ""}, kTags},
               {"atmos auth list", "atmos auth list -f mermaid"}});
  t.push_back({"auth logout", "Remove cached credentials", "auth logout [identity] [flags]",
               {kProvider, kTags, {"all", 0, "", "Every provider and identity", "false"},
                {"all-realms", 0, "", "Also other realms' AWS files", "false"}, kDryRun,
                {"keychain", 0, "", "Also remove keyring items", "false"},
                {"force", 0, "", "Do not ask for confirmation", "false"}},
               {"atmos auth logout plat-dev/terraform", "atmos auth logout --provider acme-sso", "atmos auth logout --all --dry-run"}});
  t.push_back({"auth user", "Manage IAM user credentials in the keyring", "auth user [command]", {},
               {"atmos auth user configure --identity breakglass"}});
  t.push_back({"auth user configure", "Store an IAM user's access keys in the keyring", "auth user configure [flags]",
               {kIdentity, {"access-key-id", 0, "string", "The access key id (the secret is read from stdin or the terminal)", ""},
                {"mfa-arn", 0, "string", "The MFA device ARN", ""},
                {"session-duration", 0, "string", "Session duration for GetSessionToken", ""}},
               {"atmos auth user configure --identity breakglass"}});
  return t;
}

std::string flag_line(const HelpFlag& f) {
  std::string left = f.shorthand ? std::string("  -") + f.shorthand + ", --" + f.name : "      --" + f.name;
  if (!f.type.empty()) left += " " + f.type;
  return left;
}

void append_flags(std::string& out, const std::vector<HelpFlag>& flags) {
  std::size_t width = 0;
  for (const auto& f : flags) width = std::max(width, flag_line(f).size());
  for (const auto& f : flags) {
    std::string left = flag_line(f);
    out += left + std::string(width - left.size() + 3, ' ') + f.usage;
    if (!f.def.empty() && f.def != "false") out += " (default " + (f.type == "string" ? "\"" + f.def + "\"" : f.def) + ")";
    out += "\n";
  }
}

std::vector<const HelpCommand*> children_of(const HelpCommand& parent) {
  std::vector<const HelpCommand*> out;
  for (const auto& c : command_tree()) {
    if (c.path.empty() || c.path == parent.path) continue;
    std::string prefix = parent.path.empty() ? "" : parent.path + " ";
    if (c.path.rfind(prefix, 0) == 0 && c.path.find(' ', prefix.size()) == std::string::npos) out.push_back(&c);
  }
  std::sort(out.begin(), out.end(), [](const HelpCommand* a, const HelpCommand* b) { return a->path < b->path; });
  return out;
}

std::string last_word(const std::string& path) {
  auto sp = path.rfind(' ');
  return sp == std::string::npos ? path : path.substr(sp + 1);
}

}  // namespace

namespace {

std::vector<HelpCommand>& mutable_tree() {
  static std::vector<HelpCommand> tree = build_tree();
  return tree;
}

}  // namespace

const std::vector<HelpCommand>& command_tree() { return mutable_tree(); }

void extend_command_tree(std::vector<HelpCommand> nodes) {
  auto& tree = mutable_tree();
  for (auto& n : nodes) {
    auto it = std::find_if(tree.begin(), tree.end(), [&](const HelpCommand& c) { return c.path == n.path; });
    if (it != tree.end()) *it = std::move(n);
    else tree.push_back(std::move(n));
  }
}

bool is_builtin_command(const std::string& path) {
  static const std::vector<HelpCommand> kBuiltin = build_tree();
  return std::any_of(kBuiltin.begin(), kBuiltin.end(), [&](const HelpCommand& c) { return c.path == path; });
}

const HelpCommand& find_command(const std::vector<std::string>& words) {
  const HelpCommand* node = &command_tree().front();
  for (const auto& w : words) {
    if (w.empty() || w[0] == '-') continue;
    const HelpCommand* next = nullptr;
    for (const HelpCommand* c : children_of(*node))
      if (last_word(c->path) == w) next = c;
    if (!next) break;
    node = next;
  }
  return *node;
}

std::string help_text(const HelpCommand& c, int fd) {
  auto heading = [fd](const char* h) { return color::paint(fd, color::Style::Bold, h); };
  std::string out = c.summary + "\n\n" + heading("Usage:") + "\n  atmos " + c.usage + "\n";
  if (!c.examples.empty()) {
    out += "\n" + heading("Examples:") + "\n";
    for (const auto& e : c.examples) out += "  " + e + "\n";
  }
  auto kids = children_of(c);
  if (!kids.empty()) {
    out += "\n" + heading("Available Commands:") + "\n";
    std::size_t width = 0;
    for (const auto* k : kids) width = std::max(width, last_word(k->path).size());
    for (const auto* k : kids) {
      std::string name = last_word(k->path);
      out += "  " + name + std::string(width - name.size() + 3, ' ') + k->summary + "\n";
    }
  }
  std::vector<HelpFlag> flags = c.flags;
  flags.push_back({"help", 'h', "", "help for " + (c.path.empty() ? std::string("atmos") : last_word(c.path)), ""});
  out += "\n" + heading("Flags:") + "\n";
  append_flags(out, flags);
  out += "\n" + heading("Global Flags:") + "\n";
  append_flags(out, global_help_flags());
  if (!kids.empty())
    out += "\nUse \"atmos " + (c.path.empty() ? "" : c.path + " ") + "[command] --help\" for more information about a command.\n";
  return out;
}

bool print_help_if_asked(const std::vector<std::string>& args) {
  bool flag = false, command = !args.empty() && args[0] == "help";
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == "--help" || args[i] == "-h") flag = true;
    else words.push_back(args[i]);
  }
  if (!flag && !command) return false;
  if (!flag) words.erase(words.begin());  // `atmos help terraform plan`; `atmos help --help` is the help command's
  const HelpCommand& c = find_command(words);
  if (command && !flag && !words.empty() && c.path.empty()) {
    Error e(ErrorKind::Usage, "unknown help topic \"" + words.front() + "\"");
    std::vector<std::string> names;
    for (const auto* k : children_of(c)) names.push_back(k->path);
    auto near = closest_names(words.front(), names, 1);
    if (!near.empty()) e.hint("Did you mean " + near.front() + "?");
    e.hint("Run 'atmos --help' for usage.");
    throw e;
  }
  std::fputs(help_text(c, 1).c_str(), stdout);
  return true;
}

// --- Completion ---

namespace {

const char* kBashScript = R"(# bash completion for atmos                                -*- shell-script -*-
# Candidates come from `atmos __complete WORDS… PARTIAL`, computed from the repository's files on every Tab.
__atmos_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local out directive
    out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return
    directive=${out##*:}
    out=${out%:*}
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
    if [[ ${#COMPREPLY[@]} -eq 0 && $directive != 4 ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o nosort -F __atmos_complete atmos 2>/dev/null || complete -F __atmos_complete atmos
)";

const char* kZshScript = R"(#compdef atmos
# zsh completion for atmos: candidates come from `atmos __complete WORDS… PARTIAL`.
_atmos() {
  local -a candidates
  local out directive
  out=$("${words[1]}" __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null) || return
  directive=${out##*:}
  candidates=("${(@f)${out%:*}}")
  if (( ${#candidates[@]} )) && [[ -n ${candidates[1]} ]]; then
    compadd -- "${candidates[@]}"
  elif [[ $directive != 4 ]]; then
    _files
  fi
}
compdef _atmos atmos
)";

const char* kFishScript = R"(# fish completion for atmos: candidates come from `atmos __complete WORDS… PARTIAL`.
function __atmos_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $current 2>/dev/null)
    for line in $out
        string match -q -r '^:[0-9]+$' -- $line; or echo $line
    end
end
complete -c atmos -f -a '(__atmos_complete)'
)";

const char* kPowershellScript = R"(# PowerShell completion for atmos: candidates come from `atmos __complete WORDS… PARTIAL`.
Register-ArgumentCompleter -Native -CommandName 'atmos' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = $commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() }
    if ($wordToComplete -ne '') { $words = $words | Select-Object -SkipLast 1 }
    $out = & atmos __complete @words $wordToComplete 2>$null
    $out | Where-Object { $_ -notmatch '^:[0-9]+$' } | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
)";

constexpr int kNoFileComp = 4;


config::CliConfig* load_quietly(const ParsedArgs& args, std::optional<config::CliConfig>& slot) {
  if (slot) return &*slot;
  try {
    slot = load_config(args);
    log::configure(log::Level::Off, "/dev/null");
  } catch (const Error&) {
    return nullptr;
  }
  return &*slot;
}

// One component instance, as completion needs it.
struct Instance {
  std::string stack;
  std::string component;
  bool abstract = false;
};

// Every instance, from processing all manifests; written to `cache` for the next Tab.
std::vector<Instance> instances_from_engine(const config::CliConfig& cfg, const std::string& cache, const std::string& fingerprint) {
  std::vector<Instance> out;
  stacks::StackEngine& engine = process_engine(cfg);
  std::string text = fingerprint + "\n";
  for (const auto& m : engine.manifests()) {
    for (const auto& [name, section] : m.terraform.as_map()) {
      Instance i{"", name, section.at({"metadata", "type"}) == Value("abstract")};
      try {
        i.stack = engine.stack_name(m, section);
      } catch (const Error&) {
        i.stack = m.file_key;
      }
      if (i.stack.find_first_of("\t\n") == std::string::npos && i.component.find_first_of("\t\n") == std::string::npos)
        text += i.stack + "\t" + i.component + "\t" + (i.abstract ? "1" : "0") + "\n";
      out.push_back(std::move(i));
    }
  }
  try {
    auth::write_private_file(cache, text);
  } catch (const Error& e) {
    log::debug("Completion cache not written path={} error={}", cache, e.message());
  }
  return out;
}

// Every component instance of the repository. Rendering stack names means processing every manifest, so the
// result is kept in $XDG_CACHE_HOME/atmos/completion/ together with a fingerprint of every input — path, size
// and modification time of each file under the stacks directory and of each configuration file, and the ATMOS_*
// environment — and is used only while the fingerprint is the same: an edited, added or removed manifest is
// seen on the next Tab.
std::vector<Instance> instances(const config::CliConfig& cfg) {
  namespace fs = std::filesystem;
  std::vector<std::string> entries;
  std::error_code ec;
  auto add = [&](const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return;
    entries.push_back(p.string() + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
                      std::to_string(st.st_mtim.tv_nsec));
  };
  for (fs::recursive_directory_iterator it(cfg.stacks_base_abs, ec), end; !ec && it != end; it.increment(ec))
    add(it->path());
  for (const auto& f : cfg.loaded_files) add(f);
  for (char** e = environ; e && *e; ++e)
    if (std::string_view(*e).rfind("ATMOS_", 0) == 0) entries.emplace_back(*e);
  std::sort(entries.begin(), entries.end());
  std::string joined = cfg.base_path_abs;
  for (const auto& e : entries) joined += "\n" + e;
  std::string fingerprint = auth::sha256_hex(joined);
  ProcessEnvironment env;
  std::string cache = (fs::path(auth::xdg_cache_home(env)) / "atmos" / "completion" /
                       (auth::sha256_hex(cfg.config_dir + "|" + cfg.stacks_base_abs).substr(0, 32) + ".json")).string();
  // The cache is text: the fingerprint, then one `stack<TAB>component<TAB>0|1` line per instance.
  std::vector<Instance> out;
  if (auto text = read_file_if_exists(cache); text && text->rfind(fingerprint + "\n", 0) == 0) {
    std::string_view rest(*text);
    rest.remove_prefix(fingerprint.size() + 1);
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      std::size_t a = line.find('\t'), b = a == std::string_view::npos ? a : line.find('\t', a + 1);
      if (b == std::string_view::npos) return instances_from_engine(cfg, cache, fingerprint);
      out.push_back({std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)), line.substr(b + 1) == "1"});
    }
    return out;
  }
  return instances_from_engine(cfg, cache, fingerprint);
}

std::vector<std::string> stacks_holding(const std::vector<Instance>& all, const std::string& component) {
  std::set<std::string> names;
  for (const auto& i : all)
    if (component.empty() || i.component == component) names.insert(i.stack);
  return {names.begin(), names.end()};
}

std::vector<std::string> components_in(const std::vector<Instance>& all, const std::string& stack) {
  std::set<std::string> names;
  for (const auto& i : all)
    if (!i.abstract && (stack.empty() || i.stack == stack)) names.insert(i.component);
  return {names.begin(), names.end()};
}

// Identity (or provider) names of the active configuration; none when it cannot be read.
std::vector<std::string> auth_names(const config::CliConfig& cfg, bool identities) {
  std::vector<std::string> out;
  try {
    auth::AuthConfig ac = auth::AuthConfig::from(cfg.raw.get("auth"), cfg.identity_files);
    if (identities)
      for (const auto& id : ac.identities()) out.push_back(id.name);
    else
      for (const auto& p : ac.providers()) out.push_back(p.name);
  } catch (const Error&) {
  }
  return out;
}

}  // namespace

int cmd_completion(const std::vector<std::string>& args) {
  ParsedArgs parsed = parse_args(args, {});
  if (parsed.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "accepts 1 arg(s), received " + std::to_string(parsed.positionals.size()))
        .hint("Usage: atmos completion [bash|zsh|fish|powershell]");
  const std::string& shell = parsed.positionals[0];
  const char* script = shell == "bash" ? kBashScript : shell == "zsh" ? kZshScript : shell == "fish" ? kFishScript
                       : shell == "powershell" ? kPowershellScript : nullptr;
  if (!script)
    throw Error(ErrorKind::Usage, "invalid argument \"" + shell + "\" for \"atmos completion\"")
        .hint("Valid shells are bash, zsh, fish and powershell");
  std::fputs(script, stdout);
  return 0;
}

int cmd_complete(const std::vector<std::string>& raw) {
  std::vector<std::string> words(raw.begin(), raw.end());
  std::string partial = words.empty() ? "" : words.back();
  if (!words.empty()) words.pop_back();
  // The command path: the words that are not flags or flag values.
  std::vector<std::string> path_words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.size() < 2 || w[0] != '-') {
      path_words.push_back(w);
      continue;
    }
    if (w.find('=') != std::string::npos || (w[1] != '-' && w.size() > 2)) continue;
    bool takes_value = false;
    auto check = [&](const std::vector<HelpFlag>& flags) {
      for (const auto& f : flags)
        if (!f.type.empty() && (w == "--" + f.name || (f.shorthand && w == std::string("-") + f.shorthand))) takes_value = true;
    };
    check(global_help_flags());
    check(find_command(path_words).flags);
    if (takes_value) ++i;
  }
  const HelpCommand& node = find_command(path_words);

  // The flags typed so far (values of global flags matter: -C, --config-path, --profile).
  std::vector<FlagSpec> specs;
  for (const auto& f : node.flags) specs.push_back({f.name, f.shorthand, f.type.empty()});
  ParsedArgs typed;
  try {
    typed = parse_args(words, specs, true);
  } catch (const Error&) {
    // The last word is a flag whose value is being completed.
    try {
      typed = parse_args(std::vector<std::string>(words.begin(), words.end() - (words.empty() ? 0 : 1)), specs, true);
    } catch (const Error&) {
    }
  }
  std::optional<config::CliConfig> cfg_slot;
  std::optional<std::vector<Instance>> instance_slot;
  auto engine = [&]() -> const std::vector<Instance>* {
    if (instance_slot) return &*instance_slot;
    config::CliConfig* cfg = load_quietly(typed, cfg_slot);
    if (!cfg) return nullptr;
    try {
      instance_slot = instances(*cfg);
      return &*instance_slot;
    } catch (const Error&) {
      return nullptr;
    }
  };
  std::vector<std::string> out;
  int directive = kNoFileComp;

  // Which flag wants a value: the previous word (`-s <TAB>`), or the partial itself (`--stack=<TAB>`).
  std::string flag, prefix;
  if (partial.rfind("--", 0) == 0 && partial.find('=') != std::string::npos) {
    flag = partial.substr(2, partial.find('=') - 2);
    prefix = partial.substr(0, partial.find('=') + 1);
  } else if (!words.empty() && words.back().size() > 1 && words.back()[0] == '-' && words.back().find('=') == std::string::npos) {
    const std::string& w = words.back();
    for (const auto& f : node.flags)
      if (!f.type.empty() && ((w == "--" + f.name) || (f.shorthand && w == std::string("-") + f.shorthand))) flag = f.name;
    for (const auto& f : global_help_flags())
      if (!f.type.empty() && ((w == "--" + f.name) || (f.shorthand && w == std::string("-") + f.shorthand))) flag = f.name;
  }
  std::string component;
  {
    std::size_t depth = node.path.empty() ? 0 : static_cast<std::size_t>(std::count(node.path.begin(), node.path.end(), ' ') + 1);
    if (typed.positionals.size() > depth) component = typed.positionals[depth];
  }

  if (!flag.empty()) {
    if (flag == "stack") {
      if (auto* e = engine()) out = stacks_holding(*e, (node.path.rfind("terraform", 0) == 0 || node.path == "describe component") ? component : "");
    } else if (flag == "component" || flag == "components") {
      if (auto* e = engine()) out = components_in(*e, typed.get("stack"));
    } else if (flag == "identity" || flag == "provider") {
      if (config::CliConfig* cfg = load_quietly(typed, cfg_slot)) out = auth_names(*cfg, flag == "identity");
    } else if (flag == "profile") {
      ParsedArgs without_profile = typed;
      without_profile.values.erase("profile");
      ProcessEnvironment env;
      if (config::CliConfig* cfg = load_quietly(without_profile, cfg_slot)) out = config::available_profiles(*cfg, env);
    } else if (flag == "format") {
      out = {"yaml", "json"};
    } else if (flag == "logs-level") {
      out = {"Trace", "Debug", "Info", "Warning", "Off"};
    } else {
      directive = 0;  // a path or free text: the shell completes files
    }
    for (auto& o : out) o = prefix + o;
  } else if (partial.rfind('-', 0) == 0) {
    for (const auto& f : node.flags) out.push_back("--" + f.name);
    for (const auto& f : global_help_flags()) out.push_back("--" + f.name);
    out.push_back("--help");
  } else {
    auto kids = children_of(node);
    std::size_t depth = node.path.empty() ? 0 : static_cast<std::size_t>(std::count(node.path.begin(), node.path.end(), ' ') + 1);
    bool wants_component = (node.passthrough && node.path.rfind("terraform ", 0) == 0) || node.path == "describe component" ||
                           node.path.rfind("terraform generate ", 0) == 0;
    if (!kids.empty() && typed.positionals.size() == depth) {
      for (const auto* k : kids) out.push_back(last_word(k->path));
    } else if (wants_component && typed.positionals.size() == depth) {
      if (auto* e = engine()) out = components_in(*e, typed.get("stack"));
    } else if (node.path == "auth logout" && typed.positionals.size() == depth) {
      if (config::CliConfig* cfg = load_quietly(typed, cfg_slot)) out = auth_names(*cfg, true);
    } else if (node.passthrough) {
      directive = 0;
    }
  }
  for (const auto& o : out)
    if (o.rfind(partial, 0) == 0) std::printf("%s\n", o.c_str());
  std::printf(":%d\n", directive);
  return 0;
}

}  // namespace atmos::cli
