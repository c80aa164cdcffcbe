// When and how long to wait before trying a failed AWS call again, in the style of the AWS SDKs' standard
// retry mode: at most `max_attempts` attempts, exponential backoff with full jitter.
#pragma once

#include <chrono>
#include <functional>

#include "aws/errors.hpp"

namespace atmos::aws {

struct RetryPolicy {
  int max_attempts = 3;
  // Retry n (1-based) waits uniform(0, 1) * min(base_delay * 2^(n-1), max_delay), as botocore's standard mode.
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{20'000};
  // The uniform [0, 1) draw; empty means a thread-local Mersenne Twister seeded from random_device.
  std::function<double()> jitter;
};

// Throttling (Throttling, ThrottlingException, TooManyRequestsException, RequestLimitExceeded and the SDKs'
// other throttling codes, HTTP 429), transient server errors (5xx, InternalError, RequestTimeout…) and
// connection failures, resets and timeouts are retried; other client errors never are.
bool is_retryable(const AwsErrorInfo& error);

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry);

}  // namespace atmos::aws
