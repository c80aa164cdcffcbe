#include "aws/curl_transport.hpp"

#include <curl/curl.h>
#include <string.h>

#include "aws/url.hpp"
#include "core/limits.hpp"
#include "core/secret.hpp"

namespace atmos::aws {
namespace {

std::string first_set(const Environment& env, const char* upper, const char* lower) {
  for (const char* name : {upper, lower}) {
    if (auto v = env.get(name); v && !v->empty()) return *v;
  }
  return "";
}

void global_init() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) throw TransportError(TransportFailure::Other, "libcurl initialisation failed");
}

// What the callbacks collect. Answers beyond the limits (docs/limits.md) stop the transfer: returning less
// than was offered makes libcurl fail with CURLE_WRITE_ERROR, which `too_large` then explains.
struct Collected {
  HttpResponse* response;
  std::size_t header_bytes = 0;
  const char* too_large = nullptr;  // "body" or "headers"
};

size_t collect_body(char* data, size_t size, size_t count, void* target) {
  auto* collected = static_cast<Collected*>(target);
  std::string& body = collected->response->body;
  if (body.size() + size * count > limits::kHttpBodyBytes) {
    collected->too_large = "body";
    return 0;
  }
  body.append(data, size * count);
  return size * count;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Header lines of the final answer: a new status line (after 100 Continue) starts over.
size_t collect_header(char* data, size_t size, size_t count, void* target) {
  auto* collected = static_cast<Collected*>(target);
  collected->header_bytes += size * count;
  if (collected->header_bytes > limits::kHttpHeaderBytes) {
    collected->too_large = "headers";
    return 0;
  }
  HttpHeaders* headers = &collected->response->headers;
  std::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") {
    *headers = HttpHeaders();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    headers->add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

TransportFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return TransportFailure::Timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return TransportFailure::Connect;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return TransportFailure::Reset;
    default: return TransportFailure::Other;
  }
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() {
    for (curl_slist* item = list; item; item = item->next) explicit_bzero(item->data, strlen(item->data));
    curl_slist_free_all(list);
  }
};

}  // namespace

ProxySettings proxy_settings(const Environment& env) {
  return {first_set(env, "HTTPS_PROXY", "https_proxy"), first_set(env, "HTTP_PROXY", "http_proxy"),
          first_set(env, "NO_PROXY", "no_proxy"), env.get_or("AWS_CA_BUNDLE", "")};
}

CurlTransport::CurlTransport(const Environment& env) : settings_(proxy_settings(env)) {
  global_init();
  handle_ = curl_easy_init();
  if (!handle_) throw TransportError(TransportFailure::Other, "libcurl could not create a handle");
}

CurlTransport::~CurlTransport() { curl_easy_cleanup(static_cast<CURL*>(handle_)); }

HttpResponse CurlTransport::send(const HttpRequest& request, const HttpTimeouts& timeouts) {
  std::lock_guard<std::mutex> lock(mutex_);
  CURL* curl = static_cast<CURL*>(handle_);
  curl_easy_reset(curl);
  HttpResponse response;
  HeaderList headers;
  for (const auto& header : request.headers) {
    std::string line = header.name + ": " + header.value;
    if (header.value.empty()) line = header.name + ";";
    headers.list = curl_slist_append(headers.list, line.c_str());
    wipe(line);
  }
  // No "Expect: 100-continue" round trip for larger bodies.
  headers.list = curl_slist_append(headers.list, "Expect:");

  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  const bool https = split_url(request.url).scheme == "https";
  curl_easy_setopt(curl, CURLOPT_PROXY, (https ? settings_.https_proxy : settings_.http_proxy).c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, settings_.no_proxy.c_str());
  if (!settings_.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_bundle.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }
  Collected collected{&response};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &collected);

  CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    std::string host = host_header(split_url(request.url));
    if (collected.too_large) {
      const std::size_t limit = collected.too_large[0] == 'b' ? limits::kHttpBodyBytes : limits::kHttpHeaderBytes;
      throw TransportError(TransportFailure::TooLarge, host + ": the answer's " + collected.too_large + " exceeded " +
                                                        limits::size_text(limit) +
                                                        ", the limit for one answer (see docs/limits.md)");
    }
    std::string reason = error[0] ? std::string(trim(error)) : curl_easy_strerror(code);
    throw TransportError(classify(code), host + ": " + reason);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace atmos::aws
