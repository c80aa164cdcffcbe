// The loopback credentials endpoint a child process of atmos gets (docs/credentials-endpoint.md): a tiny
// HTTP/1.1 server on 127.0.0.1 that answers the container-credentials protocol the AWS SDKs and CLIs speak
// (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN), for one identity, and re-mints the
// credentials through a callback before they expire. The SDKs then refresh by themselves, so a child that
// runs longer than its credentials live keeps working.
//
// Security: it listens on 127.0.0.1 only, on a random port and a random 128-bit path; every request must carry
// the 256-bit token in `Authorization` (compared in constant time) or gets 401 and nothing else; a right token
// on another path or method gets 404. Requests are read with a deadline and a size limit, one at a time.
// Neither the token nor the path nor the credentials are logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/clock.hpp"
#include "aws/credentials.hpp"
#include "core/secret.hpp"

namespace atmos::auth {

// Makes fresh credentials (runs the identity's chain without talking to a person). Throws Error when it
// cannot; the endpoint then prints the error on stderr and answers the child with a 503.
using CredentialMinter = std::function<aws::Credentials()>;

// Limits of one request.
inline constexpr std::size_t kEndpointMaxRequestBytes = 8192;
inline constexpr std::chrono::milliseconds kEndpointReadDeadline{2000};

class CredentialsEndpoint {
 public:
  // Binds 127.0.0.1 on a free port and serves on its own thread until destroyed. `current` are handed out
  // while they have more than the refresh margin left: min(15 minutes, half the time they had left now).
  // Throws Error(Io) when no socket can be made. `label` names the identity in messages.
  CredentialsEndpoint(aws::Credentials current, CredentialMinter mint, aws::Clock& clock, std::string label);
  // Closes the port at once and lets the thread go (waiting only for a re-mint in progress, never for the
  // thread to be scheduled), so that starting and stopping costs well under a millisecond.
  ~CredentialsEndpoint();
  CredentialsEndpoint(const CredentialsEndpoint&) = delete;
  CredentialsEndpoint& operator=(const CredentialsEndpoint&) = delete;

  std::uint16_t port() const { return port_; }
  // http://127.0.0.1:<port>/<random path>
  const std::string& url() const { return url_; }
  const Secret& token() const { return token_; }
  // AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN.
  std::vector<std::pair<std::string, std::string>> environment() const;
  // The credentials last handed out (or given at construction): the next child's endpoint starts from them.
  aws::Credentials latest() const;

  // Variables a child with an endpoint must not inherit: other container-credential settings that would win
  // over ours, and AWS_PROFILE, whose credentials-file keys the SDKs would prefer to the endpoint.
  static const std::vector<std::string>& displaced_variables();

 private:
  // What the serving thread shares with the endpoint; the thread keeps it alive until it has finished.
  struct Server;
  std::shared_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::string url_;
  Secret token_;
};

// The container-credentials JSON (AccessKeyId, SecretAccessKey, Token, Expiration). Keys that do not expire
// (long-term keys of an aws/ambient identity) are given an Expiration kNoExpiryLease after `now`: the AWS CLI v1
// and botocore require the field, and the SDKs simply ask again before then and get the same keys.
inline constexpr std::chrono::hours kNoExpiryLease{1};
std::string container_credentials_json(const aws::Credentials& c, aws::TimePoint now);
// The credential_process JSON (Version 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration); the token and
// expiration only when there are any.
std::string credential_process_json(const aws::Credentials& c);
// The margin under which `c` is re-minted: min(15 minutes, half of what is left at `now`), at least 0.
std::chrono::seconds refresh_margin(const aws::Credentials& c, aws::TimePoint now);

}  // namespace atmos::auth
