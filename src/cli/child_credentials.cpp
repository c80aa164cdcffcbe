#include "cli/child_credentials.hpp"

#include <algorithm>

#include "auth/credentials_endpoint.hpp"
#include "core/error.hpp"

namespace atmos::cli {

bool credentials_endpoint_enabled(const config::CliConfig& cfg, const ParsedArgs& args) {
  if (args.has("credentials-endpoint")) return args.flag("credentials-endpoint");
  Value setting = cfg.raw.at({"auth", "credentials", "endpoint"});
  if (setting.is_null()) return true;
  if (!setting.is_bool())
    throw Error(ErrorKind::Config, "invalid `auth.credentials.endpoint` in atmos.yaml").explain("It must be true or false, not " + describe_value(setting) + ".");
  return setting.as_bool();
}

std::chrono::seconds credentials_min_validity(const config::CliConfig& cfg) {
  Value setting = cfg.raw.at({"auth", "credentials", "min_validity"});
  if (setting.is_null()) return auth::kMinValidity;
  std::optional<long long> seconds = setting.is_string() ? auth::parse_go_duration_seconds(setting.as_string()) : std::nullopt;
  if (!seconds || *seconds < 0)
    throw Error(ErrorKind::Config, "invalid `auth.credentials.min_validity` in atmos.yaml")
        .explain("It must be a duration like 15m or 1h30m, not " + describe_value(setting) + ".");
  return std::chrono::seconds(*seconds);
}

void EndpointProcessRunner::serve(auth::Manager& manager, std::string identity, aws::Credentials current) {
  manager_ = &manager;
  identity_ = std::move(identity);
  current_ = std::move(current);
}

terraform::ProcessResult EndpointProcessRunner::run(const terraform::ProcessSpec& spec) {
  if (!manager_) return inner_.run(spec);
  auth::Manager& manager = *manager_;
  std::string identity = identity_;
  auth::CredentialMinter mint = [&manager, identity] {
    auth::AuthOptions options;
    options.interactive = false;
    options.login_command = "atmos auth login --identity " + identity;
    return manager.authenticate(identity, options).credentials.aws;
  };
  auth::CredentialsEndpoint endpoint(current_, std::move(mint), manager.world().clock, identity);
  terraform::ProcessSpec with_endpoint = spec;
  const auto& displaced = auth::CredentialsEndpoint::displaced_variables();
  std::erase_if(with_endpoint.env, [&](const std::string& kv) {
    std::string name = kv.substr(0, kv.find('='));
    return std::find(displaced.begin(), displaced.end(), name) != displaced.end() ||
           name == "AWS_CONTAINER_CREDENTIALS_FULL_URI" || name == "AWS_CONTAINER_AUTHORIZATION_TOKEN";
  });
  for (const auto& [k, v] : endpoint.environment()) with_endpoint.env.push_back(k + "=" + v);
  terraform::ProcessResult result = inner_.run(with_endpoint);
  for (auto& kv : with_endpoint.env) wipe(kv);
  current_ = endpoint.latest();
  return result;
}

}  // namespace atmos::cli
