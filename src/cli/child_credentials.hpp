// Children started by atmos (terraform, `auth exec`, `auth shell`) get a loopback credentials endpoint for
// the identity they run as (auth/credentials_endpoint.hpp, docs/credentials-endpoint.md), one per child, alive
// exactly while that child runs. The AWS files stay written and named in the environment; AWS_PROFILE is
// left out so that the SDKs ask the endpoint instead of reading the file's static keys.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "auth/manager.hpp"
#include "cli/args.hpp"
#include "config/cli_config.hpp"
#include "terraform/process.hpp"

namespace atmos::cli {

// `auth.credentials.endpoint` of atmos.yaml (default true), overridden by --credentials-endpoint=true|false in
// `args`. Throws Error(Config) for a setting that is not a boolean.
bool credentials_endpoint_enabled(const config::CliConfig& cfg, const ParsedArgs& args);
// `auth.credentials.min_validity` of atmos.yaml (a Go duration, default 15m): cached credentials with less left
// are re-minted before Terraform starts. Throws Error(Config) for a value that is not a duration.
std::chrono::seconds credentials_min_validity(const config::CliConfig& cfg);

// Wraps another runner; until serve() is called it only passes children on.
class EndpointProcessRunner final : public terraform::ProcessRunner {
 public:
  explicit EndpointProcessRunner(terraform::ProcessRunner& inner) : inner_(inner) {}

  // From now on each child gets an endpoint serving `identity`'s credentials (starting from `current`),
  // re-minted through `manager` without prompting. `manager` must outlive this runner.
  void serve(auth::Manager& manager, std::string identity, aws::Credentials current);

  terraform::ProcessResult run(const terraform::ProcessSpec& spec) override;

 private:
  terraform::ProcessRunner& inner_;
  auth::Manager* manager_ = nullptr;
  std::string identity_;
  aws::Credentials current_;
};

// Signs in as `identity` (cached credentials or a fresh chain, as `auth exec` does) and runs `specs` one after
// another, each with the identity's environment over its own and a credentials endpoint; stops at the first that
// fails and returns its exit code (cli/auth.cpp). `args` carries the global flags and --mfa-token.
int run_as_identity(const ParsedArgs& args, const std::string& identity, const std::vector<terraform::ProcessSpec>& specs);

}  // namespace atmos::cli
