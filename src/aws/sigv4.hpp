// AWS Signature Version 4 in the Authorization header, byte for byte as botocore's SigV4Auth signs
// (tests/unit/aws/sigv4_test.cpp holds it to botocore's output on a generated corpus):
//
// - canonical URI: the URL's raw path with dot segments and empty segments removed, then percent-encoded
//   once more (so an encoded path is encoded twice, as every service but S3 expects);
// - canonical query: the URL's raw query split on `&` and `=`, pairs sorted bytewise, not re-encoded (the
//   caller encodes the query, see encode_query);
// - canonical headers: every header but the hop-by-hop ones and User-Agent / X-Amzn-Trace-Id, names
//   lower-cased and sorted, values trimmed with inner whitespace runs collapsed, repeats joined by `,`;
//   `host` from the URL when the request has no Host header;
// - payload hash: the X-Amz-Content-SHA256 header when present, else SHA-256 of the body.
#pragma once

#include <array>
#include <string>

#include "aws/clock.hpp"
#include "aws/credentials.hpp"
#include "aws/http.hpp"

namespace atmos::aws {

// One signer per service and region. Caches the derived signing key of the last (secret, day) it signed
// with, so consecutive requests cost two SHA-256 and one HMAC. Not thread-safe: give each thread its own.
class SigV4Signer {
 public:
  SigV4Signer(std::string service, std::string region);
  SigV4Signer(const SigV4Signer&) = delete;
  SigV4Signer& operator=(const SigV4Signer&) = delete;
  ~SigV4Signer();

  // Sets X-Amz-Date, X-Amz-Security-Token (when the credentials carry one) and Authorization on `request`,
  // replacing earlier values (a retry signs again), and a Host header when there is none, so the transport
  // sends exactly the signed host.
  void sign(HttpRequest& request, const Credentials& credentials, TimePoint now);

  const std::string& service() const { return service_; }
  const std::string& region() const { return region_; }

 private:
  const std::array<unsigned char, 32>& signing_key(const Credentials& credentials, const std::string& day);

  std::string service_;
  std::string region_;
  std::string cached_day_;
  Secret cached_secret_;
  std::array<unsigned char, 32> cached_key_{};
};

// The canonical request of an already dated request, exactly as signed. It contains the session token:
// for tests and diagnostics only, never for logs.
std::string canonical_request(const HttpRequest& request);

// `YYYYMMDDTHHMMSSZ` (UTC, seconds truncated), the X-Amz-Date format.
std::string amz_date(TimePoint t);

}  // namespace atmos::aws
