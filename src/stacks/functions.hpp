// YAML functions evaluated after merging (upstream internal/exec/yaml_func_utils.go): the loader turns a tagged
// scalar into the string "<tag> <arguments>" (stacks/manifest.cpp), templates are rendered over the component
// section, then FunctionEvaluator replaces every such string by the function's value.
//
// Local functions are evaluated here: !env, !exec, !template, !repo-root, !cwd, !random, !unset, !git.*
// (read from the .git directory), !version. Functions that reach outside the repository (!terraform.state,
// !terraform.output, !store, !store.get, !aws.*) go through ExternalFunctions, which the command provides with
// the identity machinery. (!include, !include.raw, !append and !literal act when a manifest is loaded.)
//
// Errors name the function call and the manifest file it came from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cli_config.hpp"
#include "core/environment.hpp"
#include "core/value.hpp"
#include "stacks/engine.hpp"

namespace atmos::stacks {

// Upstream's argument grammar (pkg/function/parser): whitespace-separated words, '...' or "..." quoted
// (a doubled quote inside is one quote), `|` a separate token.
struct FunctionToken {
  std::string text;      // as written (quotes included)
  std::size_t offset;    // byte offset in the arguments
  bool quoted = false;
  bool pipe = false;
};
std::vector<FunctionToken> tokenize_function_args(std::string_view args);
std::string unquote_function_arg(std::string_view text);

// `!terraform.state|output <component> [<stack>] <expression>`.
struct TerraformArgs {
  std::string component;
  std::string stack;  // empty: the calling component's stack
  std::string expression;
};
TerraformArgs parse_terraform_args(std::string_view args);

// `!store <store> [<stack>] <component> <key> [| default <v>] [| query <expr>]` and
// `!store.get <store> <key> [| default <v>] [| query <expr>]`.
struct StoreArgs {
  std::string store;
  std::string stack;
  std::string component;
  std::string key;
  std::optional<std::string> default_value;
  std::string query;
};
StoreArgs parse_store_args(std::string_view args, bool get);

// A `!terraform.state` reference: which component of which stack, for whom.
struct StateReference {
  const StackComponent* caller = nullptr;
  std::string component;
  std::string stack;
};

// Functions that read from AWS or run Terraform. Every method throws atmos::Error on failure.
class ExternalFunctions {
 public:
  virtual ~ExternalFunctions() = default;
  // The outputs ({name: value}) in the referenced component's state; nullopt when there is no state (never applied).
  virtual std::optional<Value> terraform_state(const StackComponent& caller, const std::string& component,
                                               const std::string& stack) = 0;
  // `terraform output -json` of the referenced component ({name: value}); nullopt when it has no state.
  virtual std::optional<Value> terraform_output(const StackComponent& caller, const std::string& component,
                                                const std::string& stack) = 0;
  // A store value; nullopt when the key does not exist. `stack` and `component` empty: the key as given (!store.get).
  virtual std::optional<Value> store_get(const StackComponent& caller, const std::string& store, const std::string& stack,
                                         const std::string& component, const std::string& key) = 0;
  // !aws.account_id, !aws.caller_identity_arn, !aws.caller_identity_user_id, !aws.region, !aws.organization_id.
  virtual Value aws(const StackComponent& caller, const std::string& function) = 0;
  // Reads these states ahead (concurrently), so that the evaluations that follow hit the cache.
  virtual void prefetch_states(const std::vector<StateReference>& references) = 0;
};

struct FunctionOptions {
  bool enabled = true;            // --process-functions
  std::vector<std::string> skip;  // --skip: function names without the `!`
};

class FunctionEvaluator : public SectionFunctions {
 public:
  // `external` may be null: the external functions then fail with an error saying they are unavailable.
  FunctionEvaluator(const config::CliConfig& cfg, const Environment& env, FunctionOptions options, ExternalFunctions* external);

  void prepare(const std::vector<std::pair<StackComponent, Value>>& sections) override;
  Value evaluate(const StackComponent& sc, const Value& section) override;

  // One function call (the string "<tag> <args>") for component `sc` whose decorated section is `section`;
  // the string itself when it is no function (or a skipped one). Errors are not yet wrapped with the file.
  // `unset` is set for !unset.
  Value call(const StackComponent& sc, const Value& section, const std::string& input, bool& unset);

 private:
  Value walk(const StackComponent& sc, const Value& section, const Value& v, bool& unset);
  bool skipped(std::string_view tag) const;

  const config::CliConfig& cfg_;
  const Environment& env_;
  FunctionOptions options_;
  ExternalFunctions* external_;
};

// The tag a function string starts with (`!terraform.state`, …) when it is one Atmos evaluates after merging;
// empty otherwise. A tag must end at the string's end or at a character that cannot continue a tag name.
std::string function_tag_of(std::string_view input);

// Local helpers, exposed for tests.
namespace git {
// The root of the work tree containing `dir` (the directory holding `.git`); nullopt outside a repository.
std::optional<std::string> root(const std::string& dir);
// HEAD's commit (40 hex) and branch ("" when detached), read from the .git directory (loose and packed refs,
// worktrees' gitdir files).
std::optional<std::string> head_sha(const std::string& dir);
std::optional<std::string> branch(const std::string& dir);
// The `origin` remote's URL from .git/config.
std::optional<std::string> origin_url(const std::string& dir);
}  // namespace git

// Runs `command` with /bin/sh -c in `cwd`; returns stdout. Throws Error when it exits non-zero or prints more than
// `max_output` bytes.
std::string run_shell(const std::string& command, std::size_t max_output);

}  // namespace atmos::stacks
