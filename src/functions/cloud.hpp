// The YAML functions that reach outside the repository (stacks::ExternalFunctions): !terraform.state reads the
// state object from the component's backend (s3 with our SigV4 client, local, or the static remote state),
// !terraform.output runs `terraform output -json` through the Terraform runner, !store / !store.get read the
// aws-ssm-parameter-store stores of atmos.yaml, !aws.* ask STS / Organizations.
//
// Identity: every AWS read is made as the identity that `Identities` chooses for the REFERENCED component (its
// stack's default in the active profile; the caller's when it has none; --identity over all). Each distinct
// state object, output set or parameter is read once per command (the cache is keyed by the object, not by the
// call's text), and prefetch_states reads many concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aws/clock.hpp"
#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "config/cli_config.hpp"
#include "core/environment.hpp"
#include "stacks/engine.hpp"
#include "stacks/functions.hpp"

namespace atmos::functions {

// Credentials of the identity a read is made as.
struct ReadIdentity {
  std::string name;  // the Atmos identity ("" when the ambient AWS_* credentials are used)
  aws::Credentials credentials;
  std::string region;                                       // the identity's region ("" when none)
  std::vector<std::pair<std::string, std::string>> env_set;  // for Terraform child processes
  std::vector<std::string> env_unset;
};

class Identities {
 public:
  virtual ~Identities() = default;
  // The identity that reads for component `sc` (`section` is its final section, before templates), authenticated:
  // --identity when given, else the component's stack default in the active profile; nullopt when it has none.
  // Throws Error when that identity is not in the active profile.
  virtual std::optional<ReadIdentity> for_component(const stacks::StackComponent& sc, const Value& section) = 0;
  // A named identity (a store's `identity:`), authenticated.
  virtual ReadIdentity named(const std::string& identity) = 0;
  // No identity anywhere: the AWS_* credentials of the environment. Throws Error when there are none.
  virtual ReadIdentity ambient() = 0;
};

// `terraform output -json` for a component: its outputs ({name: value}), nullopt when it has no state.
using OutputRunner = std::function<std::optional<Value>(const stacks::StackComponent& sc, const Value& section,
                                                        const ReadIdentity& identity)>;

// Where a component's state lives.
struct StateLocation {
  std::string kind;  // "s3", "local" or "static"
  std::string bucket, key, region, endpoint, role_arn;
  bool path_style = false;
  std::string path;  // local
  Value static_outputs;
  std::string cache_key() const;
  std::string describe() const;  // s3://bucket/key, a path, or "static remote state"
};

// The backend object of a decorated component section. Throws Error for unsupported backend types or an s3
// backend without a bucket.
StateLocation state_location(const Value& section, const std::string& terraform_dir_abs);

// The outputs of a Terraform state document ({name: value}); null when the text is empty. Throws Error when
// the text is not a state.
std::optional<Value> state_outputs(const std::string& text, const std::string& where);

class CloudFunctions final : public stacks::ExternalFunctions {
 public:
  CloudFunctions(const config::CliConfig& cfg, stacks::StackEngine& engine, Identities& identities,
                 aws::HttpTransport& transport, aws::Clock& clock, const Environment& env, OutputRunner outputs);

  std::optional<Value> terraform_state(const stacks::StackComponent& caller, const std::string& component,
                                       const std::string& stack) override;
  std::optional<Value> terraform_output(const stacks::StackComponent& caller, const std::string& component,
                                        const std::string& stack) override;
  std::optional<Value> store_get(const stacks::StackComponent& caller, const std::string& store, const std::string& stack,
                                 const std::string& component, const std::string& key) override;
  Value aws(const stacks::StackComponent& caller, const std::string& function) override;
  void prefetch_states(const std::vector<stacks::StateReference>& references) override;

  // Writes `value` to a store under the component's key, as the store's `identity` or the component's (with the
  // store's `write_role_arn`): what a `store` hook does after an apply (cli/hooks.cpp).
  void store_set(const stacks::StackComponent& component, const std::string& store, const std::string& key, const Value& value);
  // The component's outputs read now (`terraform output -json`), not from this command's cache.
  std::optional<Value> fresh_terraform_output(const stacks::StackComponent& component);

  // Number of state objects read from a backend (for tests).
  std::size_t state_reads() const { return state_reads_; }

 private:
  struct Target {
    stacks::StackComponent sc;
    std::optional<Value> rendered;  // referenced_section, computed when a backend or Terraform needs it
    std::optional<ReadIdentity> who;
  };
  struct Entry {
    std::optional<Value> value;
    std::exception_ptr error;
  };
  // A store parameter: its name, and who reads or writes it (filled in by resolve).
  struct StoreAccess {
    std::string name, cache_key;
    Value config;             // stores.<store>
    const char* role_option;  // read_role_arn or write_role_arn
    ReadIdentity who;
    std::string region;
    aws::Credentials credentials;
  };
  // Throws Error for a store that is missing or of an unsupported type.
  StoreAccess store_access(const std::string& store, const std::string& stack, const std::string& component,
                           const std::string& key, const char* role_option);
  // The store's `identity`, else the referenced component's, else the caller's; its region and role.
  void resolve(StoreAccess& access, const stacks::StackComponent& caller, const std::string& stack, const std::string& component);
  // Engine lookups and identity resolution run on the calling thread only.
  Target& target(const std::string& component, const std::string& stack);
  // The target's section with templates rendered (not needed to choose its identity, so a template function
  // reading a store for its own component does not render itself again).
  const Value& rendered(Target& t);
  // The referenced component's identity, else the caller's, else the environment's.
  ReadIdentity identity_for(Target& t, const stacks::StackComponent* caller);
  // The identity's credentials, or the backend role's (`assume_role.role_arn`) assumed with them.
  aws::Credentials credentials_for(const StateLocation& location, const ReadIdentity& who);
  // One backend read (thread-safe).
  std::optional<Value> read_state(const StateLocation& location, const Target& t, const ReadIdentity& who,
                                  const aws::Credentials& credentials);
  std::optional<Value> cached_state(const StateLocation& location, Target& t, const stacks::StackComponent* caller);

  const config::CliConfig& cfg_;
  stacks::StackEngine& engine_;
  Identities& identities_;
  aws::HttpTransport& transport_;
  aws::Clock& clock_;
  const Environment& env_;
  OutputRunner outputs_;

  std::map<std::pair<std::string, std::string>, std::unique_ptr<Target>> targets_;
    std::mutex mutex_;  // guards states_, roles_ and state_reads_ (state reads run on worker threads)
  std::map<std::string, Entry> states_;
  std::map<std::string, Entry> outputs_cache_;
  std::map<std::string, Entry> parameters_;
  std::map<std::string, aws::Credentials> roles_;
  std::map<std::string, Value> facts_;
  std::size_t state_reads_ = 0;
};

}  // namespace atmos::functions
