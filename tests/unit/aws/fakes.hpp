// Test doubles for the AWS layer's outside world: a transport that replays canned answers and records what
// was sent, and a clock that stands still and records sleeps instead of sleeping.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "aws/clock.hpp"
#include "aws/http.hpp"

namespace atmos::aws::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = std::chrono::system_clock::from_time_t(1717502400))  // 2024-06-04T12:00:00Z
      : now_(start) {}
  TimePoint now() override { return now_; }
  void sleep_for(std::chrono::milliseconds delay) override {
    sleeps.push_back(delay);
    now_ += delay;
  }
  void advance(std::chrono::seconds by) { now_ += by; }

  std::vector<std::chrono::milliseconds> sleeps;

 private:
  TimePoint now_;
};

inline HttpResponse answer(long status, std::string body, HttpHeaders headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

class FakeTransport final : public HttpTransport {
 public:
  using Reply = std::variant<HttpResponse, TransportError>;

  void push(HttpResponse response) { replies_.emplace_back(std::move(response)); }
  void push(TransportError error) { replies_.emplace_back(std::move(error)); }

  HttpResponse send(const HttpRequest& request, const HttpTimeouts& timeouts) override {
    sent.push_back(request);
    last_timeouts = timeouts;
    if (replies_.empty()) throw TransportError(TransportFailure::Other, "FakeTransport: no reply queued");
    Reply reply = std::move(replies_.front());
    replies_.pop_front();
    if (auto* error = std::get_if<TransportError>(&reply)) throw *error;
    return std::get<HttpResponse>(std::move(reply));
  }

  std::vector<HttpRequest> sent;
  HttpTimeouts last_timeouts;

 private:
  std::deque<Reply> replies_;
};

}  // namespace atmos::aws::testing
