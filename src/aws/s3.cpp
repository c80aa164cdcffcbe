#include "aws/s3.hpp"

#include "aws/url.hpp"

namespace atmos::aws {
namespace {

// SHA-256 of the empty body, the payload hash S3 requires in X-Amz-Content-SHA256.
constexpr const char* kEmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

S3Client::S3Client(ClientContext context, ClientOptions options) : client_(Service::S3, context, std::move(options)) {}

std::optional<std::string> S3Client::get_object(const Credentials& credentials, const S3Object& object) {
  HttpRequest request;
  request.method = "GET";
  std::string key = uri_encode(object.key, true);
  if (object.path_style) {
    request.url = "/" + uri_encode(object.bucket) + "/" + key;
  } else {
    UrlParts endpoint = split_url(client_.endpoint());
    request.url = "/" + key;
    request.headers.set("Host", object.bucket + "." + host_header(endpoint));
  }
  request.headers.set("X-Amz-Content-SHA256", kEmptyBodySha256);
  try {
    HttpResponse response = client_.call("GetObject", std::move(request), &credentials);
    return std::move(response.body);
  } catch (const AwsError& e) {
    if (e.info().http_status == 404 && (e.code() == "NoSuchKey" || e.code().empty())) return std::nullopt;
    throw;
  }
}

}  // namespace atmos::aws
