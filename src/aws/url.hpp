// URL splitting and percent-encoding as SigV4 and the AWS wire protocols need them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atmos::aws {

// The parts of an absolute URL the way Python's urlsplit sees them (botocore signs with urlsplit):
// `host` is lower-cased without brackets or userinfo, `port` is empty when absent, `path` and `query` are
// raw (still encoded); a fragment is dropped.
struct UrlParts {
  std::string scheme;
  std::string host;
  std::string port;
  bool ipv6 = false;
  std::string path;
  std::string query;
};

UrlParts split_url(std::string_view url);

// The Host header value: host, plus `:port` unless it is the scheme's default.
std::string host_header(const UrlParts& url);

// RFC 3986 percent-encoding with upper-case hex: every byte except ALPHA / DIGIT / "-" / "." / "_" / "~"
// (and "/" when `keep_slash`) is encoded.
std::string uri_encode(std::string_view text, bool keep_slash = false);
void append_uri_encoded(std::string& out, std::string_view text, bool keep_slash = false);

// `k1=v1&k2=v2` with both sides uri_encode'd, in the given order: query strings and
// application/x-www-form-urlencoded bodies.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::string encode_query(const QueryParams& params);

}  // namespace atmos::aws
