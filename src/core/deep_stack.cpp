#include "core/deep_stack.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <utility>

// AddressSanitizer does not follow a stack switched with swapcontext (it takes the frames for the thread's own
// stack, reports overflows and corrupts its shadow memory when an exception unwinds there), so sanitizer builds
// run the deep call on a DeepStackThread instead, whose stack it knows.
#if defined(__SANITIZE_ADDRESS__)
#define ATMOS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATMOS_ASAN 1
#endif
#endif

namespace atmos {

constexpr std::size_t kGuardBytes = 64 * 1024;

DeepStackThread::DeepStackThread(std::function<void()> fn) : fn_(std::move(fn)) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kDeepStackBytes);
  pthread_t thread;
  started_ = pthread_create(&thread, &attr, &DeepStackThread::entry, this) == 0;
  pthread_attr_destroy(&attr);
  if (started_) {
    thread_ = thread;
  } else {
    entry(this);
  }
}

DeepStackThread::~DeepStackThread() {
  if (started_) pthread_join(static_cast<pthread_t>(thread_), nullptr);
}

void* DeepStackThread::entry(void* self) {
  auto* t = static_cast<DeepStackThread*>(self);
  try {
    t->fn_();
  } catch (...) {
    t->error_ = std::current_exception();
  }
  return nullptr;
}

void DeepStackThread::join() {
  if (started_) {
    pthread_join(static_cast<pthread_t>(thread_), nullptr);
    started_ = false;
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

namespace {

struct DeepCall {
  std::function<void()>* fn;
  std::exception_ptr error;
};

thread_local DeepCall* current_call = nullptr;

void deep_call_entry() {
  DeepCall* call = current_call;
  try {
    (*call->fn)();
  } catch (...) {
    call->error = std::current_exception();
  }
}

}  // namespace

// On the calling thread (so the main thread keeps glibc's main malloc arena, which grows far more cheaply than a
// thread's), with the stack switched to a fresh mapping for the duration of the call.
void run_on_deep_stack(std::function<void()> fn) {
#ifdef ATMOS_ASAN
  DeepStackThread t(std::move(fn));
  t.join();
  return;
#endif
  void* stack = mmap(nullptr, kDeepStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                     -1, 0);
  if (stack == MAP_FAILED) {
    DeepStackThread t(std::move(fn));
    t.join();
    return;
  }
  mprotect(stack, kGuardBytes, PROT_NONE);  // overflow faults instead of writing below the mapping
  DeepCall call{&fn, nullptr};
  ucontext_t caller;
  ucontext_t callee;
  getcontext(&callee);
  callee.uc_stack.ss_sp = stack;
  callee.uc_stack.ss_size = kDeepStackBytes;
  callee.uc_link = &caller;
  makecontext(&callee, &deep_call_entry, 0);
  DeepCall* outer = current_call;
  current_call = &call;
  swapcontext(&caller, &callee);
  current_call = outer;
  munmap(stack, kDeepStackBytes);
  if (call.error) std::rethrow_exception(call.error);
}

}  // namespace atmos
