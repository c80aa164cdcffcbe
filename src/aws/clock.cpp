#include "aws/clock.hpp"

#include <thread>

namespace atmos::aws {

TimePoint SystemClock::now() { return std::chrono::system_clock::now(); }

void SystemClock::sleep_for(std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }

}  // namespace atmos::aws
