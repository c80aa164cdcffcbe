// Threads with room for the deepest tree a document may hold.
//
// YAML documents nest up to yaml.v3's limits (10,000 flow levels inside 10,000 block levels, enforced by
// core/yaml_load), and the loader, the deep merge, the printers, the parse-time tag walk and a Value's
// teardown all recurse once per level, about 1 KB of stack each. A default 8 MB stack holds fewer than 10,000
// levels, so a command runs with its stack switched to a kDeepStackBytes mapping (run_on_deep_stack, from
// main) and stack-processing workers are DeepStackThreads (reserved address space; only the pages a deep
// document really uses are touched).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>

namespace atmos {

inline constexpr std::size_t kDeepStackBytes = std::size_t{256} << 20;

// A joinable thread running `fn` on a kDeepStackBytes stack (on the caller's thread when no such thread can
// be created). An exception thrown by `fn` is rethrown by join().
class DeepStackThread {
 public:
  explicit DeepStackThread(std::function<void()> fn);
  ~DeepStackThread();
  DeepStackThread(const DeepStackThread&) = delete;
  DeepStackThread& operator=(const DeepStackThread&) = delete;

  void join();

 private:
  static void* entry(void* self);

  std::function<void()> fn_;
  std::exception_ptr error_;
  unsigned long thread_ = 0;
  bool started_ = false;
};

// Runs `fn` on the calling thread with its stack switched to a kDeepStackBytes mapping, and returns when it
// does; its exception, if any, is rethrown here.
void run_on_deep_stack(std::function<void()> fn);

}  // namespace atmos
