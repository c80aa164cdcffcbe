// `atmos auth console` (docs/auth.md#commands): the AWS console sign-in URL made from an identity's role session
// through console federation, where it lands (a URL or a service alias), and the session length it shows.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/world.hpp"
#include "aws/credentials.hpp"
#include "core/secret.hpp"

namespace atmos::auth {

inline constexpr const char* kConsoleHome = "https://console.aws.amazon.com/";

// A URL (http:// or https://) is returned unchanged, "" gives the console home, a service alias (`s3`, `ec2`,
// `cloudformation`…, case-insensitive) its console page. Throws Error (exit 1) for an unknown alias, naming the
// closest aliases.
std::string console_destination(std::string_view destination);
std::vector<std::string> console_aliases();

// Console sessions last between 15 minutes and 12 hours: `requested` clamped to that range.
std::chrono::seconds clamp_console_duration(std::chrono::seconds requested);

// getSigninToken with the role session's keys (endpoint: AWS_ENDPOINT_URL_SIGNIN, else the partition's sign-in
// endpoint for `region`), then the login URL for `destination`. The URL signs in whoever holds it: a Secret.
// Throws Error (kind Auth) when the credentials are not a session or the endpoint refuses them.
Secret console_signin_url(World& world, const aws::Credentials& credentials, const std::string& region, const std::string& issuer,
                          const std::string& destination);

}  // namespace atmos::auth
