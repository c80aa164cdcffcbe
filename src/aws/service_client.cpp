#include "aws/service_client.hpp"

#include <algorithm>

#include "aws/url.hpp"
#include "core/log.hpp"

namespace atmos::aws {
namespace {

std::string signing_name(Service service) {
  switch (service) {
    case Service::Sts: return "sts";
    case Service::Sso: return "awsssoportal";
    case Service::SsoOidc: return "sso-oauth";
    case Service::Signin: return "signin";
    case Service::S3: return "s3";
    case Service::Ssm: return "ssm";
    case Service::Organizations: return "organizations";
  }
  return "";
}

std::string origin_of(const std::string& url) {
  UrlParts parts = split_url(url);
  return parts.scheme + "://" + host_header(parts);
}

std::string_view without_query(std::string_view url) { return url.substr(0, url.find('?')); }

long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count());
}

}  // namespace

std::string user_agent() { return std::string("atmos/") + ATMOS_VERSION_STRING; }

ServiceClient::ServiceClient(Service service, ClientContext context, ClientOptions options)
    : service_(service),
      context_(context),
      options_(std::move(options)),
      endpoint_(resolve_endpoint(service, options_.region, options_.endpoint_url, context.env)),
      origin_(origin_of(endpoint_.url)),
      signer_(signing_name(service), options_.region.empty() ? "us-east-1" : options_.region) {
  log::debug("AWS endpoint service={} url={} source={}", service_id(service_), endpoint_.url, endpoint_.source);
}

AwsErrorInfo ServiceClient::failure_info(std::string_view operation, const HttpResponse& response) const {
  AwsErrorInfo info;
  info.service = service_;
  info.operation = std::string(operation);
  info.http_status = response.status;
  info.endpoint = origin_;
  if (service_ == Service::Sts || service_ == Service::S3) {
    parse_query_error(response, info);
  } else {
    parse_json_error(response, info);
  }
  return info;
}

AwsError ServiceClient::malformed_response(std::string_view operation, const HttpResponse& response,
                                           std::string_view detail) const {
  AwsErrorInfo info;
  info.service = service_;
  info.operation = std::string(operation);
  info.http_status = response.status;
  info.code = "MalformedResponse";
  info.message = std::string(detail);
  info.request_id = std::string(response.headers.get("x-amzn-RequestId").value_or(""));
  info.endpoint = origin_;
  return AwsError(std::move(info));
}

HttpResponse ServiceClient::call(std::string_view operation, HttpRequest request, const Credentials* credentials) {
  request.url = endpoint_.url + request.url;
  request.headers.set("User-Agent", user_agent());
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  const std::string_view service = service_id(service_);
  for (int attempt = 1;; ++attempt) {
    HttpRequest attempt_request = request;
    if (credentials) {
      std::lock_guard<std::mutex> lock(signer_mutex_);
      signer_.sign(attempt_request, *credentials, context_.clock.now());
    }
    log::debug("AWS call {}:{} attempt={}/{} {} {}", service, operation, attempt, max_attempts, attempt_request.method,
               without_query(attempt_request.url));
    auto started = std::chrono::steady_clock::now();
    AwsErrorInfo failure;
    try {
      HttpResponse response = context_.transport.send(attempt_request, options_.timeouts);
      log::trace("AWS response {}:{} status={} request_id={} bytes={} elapsed={}ms", service, operation, response.status,
                 response.headers.get("x-amzn-RequestId").value_or(""), response.body.size(), elapsed_ms(started));
      if (response.status >= 200 && response.status < 300) return response;
      failure = failure_info(operation, response);
    } catch (const TransportError& e) {
      log::trace("AWS transport failure {}:{} elapsed={}ms: {}", service, operation, elapsed_ms(started), e.what());
      failure.service = service_;
      failure.operation = std::string(operation);
      failure.transport = e.failure();
      failure.message = e.what();
      failure.endpoint = origin_;
    }
    failure.attempts = attempt;
    std::string reason = failure.transport ? failure.message : failure.code;
    if (attempt >= max_attempts || !is_retryable(failure)) {
      log::debug("AWS call {}:{} failed status={} code={} request_id={} attempts={}", service, operation,
                 failure.http_status, reason, failure.request_id, attempt);
      throw AwsError(std::move(failure));
    }
    auto delay = backoff_delay(options_.retry, attempt);
    log::debug("Retrying AWS call {}:{} after {} (HTTP {}) attempt={}/{} delay={}ms", service, operation, reason,
               failure.http_status, attempt + 1, max_attempts, delay.count());
    context_.clock.sleep_for(delay);
  }
}

}  // namespace atmos::aws
