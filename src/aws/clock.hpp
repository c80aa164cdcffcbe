// Wall-clock time and waiting behind an interface, so tests run signing at fixed instants and retries
// without sleeping.
#pragma once

#include <chrono>

namespace atmos::aws {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() = 0;
  // Blocks the calling thread for `delay` (retry backoff).
  virtual void sleep_for(std::chrono::milliseconds delay) = 0;
};

// The system clock; thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint now() override;
  void sleep_for(std::chrono::milliseconds delay) override;
};

}  // namespace atmos::aws
