// Measuring what hostile input costs (docs/limits.md): the CPU time (user + system, all threads) and wall time
// of one call and the process's peak resident memory. CTest runs every test in its own process, so the peak
// is this test's own. The bound is on CPU time, which does not depend on how busy a shared machine is. Under
// the sanitizers (scripts/test --sanitize) time and memory are several times higher, and the bounds scale.
#pragma once

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace atmos::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kSanitizerSlowdown = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr int kSanitizerSlowdown = 10;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

struct Cost {
  double cpu_seconds = 0;
  double wall_seconds = 0;
  double peak_mib = 0;
};

inline double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Runs `f`, prints what it cost and checks it stayed under one CPU second and `max_peak_mib` of peak memory.
template <class F>
Cost expect_cheap(const std::string& what, double max_peak_mib, F&& f) {
  double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  f();
  Cost cost{cpu_seconds() - cpu_start, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
            peak_rss_mib()};
  std::printf("[  LIMIT   ] %s: %.3f s CPU (%.3f s wall), peak RSS %.1f MiB\n", what.c_str(), cost.cpu_seconds,
              cost.wall_seconds, cost.peak_mib);
  EXPECT_LT(cost.cpu_seconds, 1.0 * kSanitizerSlowdown) << what;
  EXPECT_LT(cost.peak_mib, max_peak_mib * (kSanitizerSlowdown > 1 ? 4 : 1)) << what;
  return cost;
}

}  // namespace atmos::testing
