// HTTP requests and responses as the AWS clients build and read them, and the transport interface that
// sends them (libcurl in production, canned responses in unit tests).
//
// Requests and responses carry credential material (session tokens in headers, client secrets and tokens in
// bodies), so both wipe their header values and bodies on destruction.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace atmos::aws {

struct HttpHeader {
  std::string name;
  std::string value;
};

// Case-insensitive ASCII comparison of header names.
bool header_name_equals(std::string_view a, std::string_view b);

class HttpHeaders {
 public:
  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<HttpHeader> headers) : list_(headers) {}
  HttpHeaders(const HttpHeaders&) = default;
  HttpHeaders(HttpHeaders&&) = default;
  HttpHeaders& operator=(const HttpHeaders&) = default;
  HttpHeaders& operator=(HttpHeaders&&) = default;
  ~HttpHeaders();

  // The first header of that name (case-insensitive).
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Appends; an existing header of the same name stays (HTTP allows repeats).
  void add(std::string name, std::string value);
  // Removes every header of that name, then appends one.
  void set(std::string name, std::string value);
  void remove(std::string_view name);

  const std::vector<HttpHeader>& list() const { return list_; }
  auto begin() const { return list_.begin(); }
  auto end() const { return list_.end(); }

 private:
  std::vector<HttpHeader> list_;
};

struct HttpRequest {
  std::string method;
  std::string url;  // absolute; the query already percent-encoded (see url.hpp)
  HttpHeaders headers;
  std::string body;

  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = default;
  HttpRequest(HttpRequest&&) = default;
  HttpRequest& operator=(const HttpRequest&) = default;
  HttpRequest& operator=(HttpRequest&&) = default;
  ~HttpRequest();
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;
  std::string body;

  HttpResponse() = default;
  HttpResponse(const HttpResponse&) = default;
  HttpResponse(HttpResponse&&) = default;
  HttpResponse& operator=(const HttpResponse&) = default;
  HttpResponse& operator=(HttpResponse&&) = default;
  ~HttpResponse();
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds total{30'000};  // the whole exchange, connection included
};

enum class TransportFailure {
  Connect,  // refused, unreachable, name or proxy not resolved
  Timeout,  // connect or total timeout elapsed
  Reset,    // connection dropped mid-exchange (reset, nothing or a partial answer received)
  Other,    // TLS, malformed URL and the like: not worth retrying
  TooLarge, // the answer outgrew a size limit (docs/limits.md) and was dropped: the same would come again
};

// The request never got an HTTP answer. `what()` names the host and libcurl's reason, never the query.
class TransportError : public std::runtime_error {
 public:
  TransportError(TransportFailure failure, const std::string& message)
      : std::runtime_error(message), failure_(failure) {}
  TransportFailure failure() const { return failure_; }

 private:
  TransportFailure failure_;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request and returns whatever HTTP answer came back (any status; redirects are not followed).
  // Throws TransportError when no answer arrives. Implementations must be safe to call from several threads.
  virtual HttpResponse send(const HttpRequest& request, const HttpTimeouts& timeouts) = 0;
};

}  // namespace atmos::aws
