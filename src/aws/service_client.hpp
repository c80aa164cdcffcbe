// The machinery every AWS API call shares: endpoint resolution, SigV4 signing (STS), the User-Agent, timeouts,
// retries with backoff, error parsing and logging. The API clients (sts, sso, sso_oidc, signin) build typed
// requests on top of it.
//
// Credentials are only ever the ones passed to call(): ambient AWS_ACCESS_KEY_ID / AWS_PROFILE / shared config
// files are never read, so authentication cannot pick up somebody else's identity (docs/auth.md#identities).
// Logging: Debug names each attempt, retry (code, delay) and failure; Trace adds status, request id, timing
// and the SigV4 scope and canonical-request hash. URLs are logged without their query, and no header value or body is logged.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/clock.hpp"
#include "aws/credentials.hpp"
#include "aws/endpoints.hpp"
#include "aws/errors.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"
#include "aws/sigv4.hpp"
#include "core/environment.hpp"

namespace atmos::aws {

// The outside world an AWS client talks through; all three must outlive the clients.
struct ClientContext {
  HttpTransport& transport;
  Clock& clock;
  const Environment& env;  // endpoint variables only
};

struct ClientOptions {
  std::string region;        // the signing region and the default endpoint's region (us-east-1 when empty)
  std::string endpoint_url;  // a provider's or identity's spec.endpoint_url; wins over the environment
  HttpTimeouts timeouts;
  RetryPolicy retry;
};

// "atmos/<version>", sent as User-Agent on every call.
std::string user_agent();

// Thread-safe.
class ServiceClient {
 public:
  ServiceClient(Service service, ClientContext context, ClientOptions options);

  // Sends `request` (its url is the path and query to append to the endpoint) until it succeeds or the retry
  // policy gives up, signing every attempt afresh when `credentials` is given. Returns the 2xx answer; throws
  // AwsError with the last failure otherwise.
  HttpResponse call(std::string_view operation, HttpRequest request, const Credentials* credentials = nullptr);

  // An AwsError for a 2xx answer whose body could not be read.
  AwsError malformed_response(std::string_view operation, const HttpResponse& response, std::string_view detail) const;

  Service service() const { return service_; }
  const std::string& endpoint() const { return endpoint_.url; }
  const ClientOptions& options() const { return options_; }

 private:
  AwsErrorInfo failure_info(std::string_view operation, const HttpResponse& response) const;

  Service service_;
  ClientContext context_;
  ClientOptions options_;
  ResolvedEndpoint endpoint_;
  std::string origin_;  // scheme://host[:port] of the endpoint, for messages
  std::mutex signer_mutex_;
  SigV4Signer signer_;
};

}  // namespace atmos::aws
