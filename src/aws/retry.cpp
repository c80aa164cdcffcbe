#include "aws/retry.hpp"

#include <algorithm>
#include <random>
#include <string_view>

namespace atmos::aws {
namespace {

// botocore's and the Go SDK v2's throttling and transient error codes.
bool retryable_code(std::string_view code) {
  static constexpr std::string_view kCodes[] = {
      "Throttling",           "ThrottlingException",   "ThrottledException",     "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown",             "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout",
      "RequestTimeoutException", "InternalError",       "InternalFailure",
  };
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

double uniform_draw() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

bool is_retryable(const AwsErrorInfo& error) {
  if (error.transport) return *error.transport != TransportFailure::Other && *error.transport != TransportFailure::TooLarge;
  if (error.http_status == 429 || error.http_status >= 500) return true;
  return retryable_code(error.code);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry) {
  double ceiling = static_cast<double>(policy.base_delay.count());
  for (int i = 1; i < retry && ceiling < static_cast<double>(policy.max_delay.count()); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(policy.max_delay.count()));
  double draw = policy.jitter ? policy.jitter() : uniform_draw();
  return std::chrono::milliseconds(static_cast<std::int64_t>(draw * ceiling));
}

}  // namespace atmos::aws
