#include "core/deep_stack.hpp"

#include <pthread.h>

#include <utility>

namespace atmos {

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

void run_on_deep_stack(std::function<void()> fn) {
  DeepStackThread t(std::move(fn));
  t.join();
}

}  // namespace atmos
