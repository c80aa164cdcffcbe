// HttpTransport over libcurl.
//
// Connections are reused across calls: one easy handle, kept between calls (curl_easy_reset keeps its
// connection cache), used by one call at a time. Proxies come from the Environment given at construction,
// not from libcurl's own getenv: HTTPS_PROXY/https_proxy for https URLs, HTTP_PROXY/http_proxy for http,
// NO_PROXY/no_proxy as exclusions; AWS_CA_BUNDLE replaces the system CA store.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "aws/http.hpp"
#include "core/environment.hpp"

namespace atmos::aws {

struct ProxySettings {
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
  std::string ca_bundle;
};

ProxySettings proxy_settings(const Environment& env);

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const Environment& env);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request, const HttpTimeouts& timeouts) override;

 private:
  ProxySettings settings_;
  std::mutex mutex_;
  void* handle_;  // CURL*
};

}  // namespace atmos::aws
