#include "aws/sigv4.hpp"

#include <string.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string_view>
#include <vector>

#include "aws/crypto.hpp"
#include "aws/url.hpp"
#include "core/log.hpp"

namespace atmos::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// botocore's SIGNED_HEADERS_BLACKLIST: headers proxies may rewrite, and the User-Agent.
bool excluded_header(std::string_view lower_name) {
  static constexpr std::string_view kExcluded[] = {
      "connection", "expect",           "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
      "trailer",    "transfer-encoding", "upgrade",    "user-agent",         "x-amzn-trace-id",
  };
  return std::find(std::begin(kExcluded), std::end(kExcluded), lower_name) != std::end(kExcluded);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// The end of the run of non-whitespace starting at `pos`. Eight bytes at a time while none is below 0x21
// (a session token is a 900-byte run): ((v - 0x21…) & ~v & 0x80…) is non-zero iff some byte of v is < 0x21.
std::size_t skip_non_space(std::string_view value, std::size_t pos) {
  constexpr std::uint64_t kOnes = 0x2121212121212121ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  while (pos + 8 <= value.size()) {
    std::uint64_t v;
    memcpy(&v, value.data() + pos, 8);
    if ((v - kOnes) & ~v & kHigh) break;
    pos += 8;
  }
  while (pos < value.size() && !is_space(value[pos])) ++pos;
  return pos;
}

// Trimall: leading/trailing whitespace dropped, inner runs collapsed to one space (Python's ' '.join(v.split())).
// Appends whole words at a time: header values such as session tokens are long.
void append_trimmed(std::string& out, std::string_view value) {
  std::size_t pos = 0;
  bool first = true;
  while (pos < value.size()) {
    while (pos < value.size() && is_space(value[pos])) ++pos;
    std::size_t end = skip_non_space(value, pos);
    if (end == pos) break;
    if (!first) out.push_back(' ');
    out.append(value.data() + pos, end - pos);
    first = false;
    pos = end;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 3986 §5.2.4 plus the removal of empty segments AWS requires (botocore's remove_dot_segments).
std::string normalized_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string_view segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out;
  if (path.front() == '/') out.push_back('/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) out.push_back('/');
    out.append(segments[i]);
  }
  if (path.back() == '/' && !segments.empty()) out.push_back('/');
  return out;
}

void append_canonical_query(std::string& out, std::string_view query) {
  if (query.empty()) return;
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  std::size_t start = 0;
  while (true) {
    auto amp = query.find('&', start);
    std::string_view pair = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      pairs.emplace_back(pair, std::string_view());
    } else {
      pairs.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (i) out.push_back('&');
    out.append(pairs[i].first);
    out.push_back('=');
    out.append(pairs[i].second);
  }
}

struct SignedHeader {
  std::string name;  // lower-case
  std::string_view value;
};

std::vector<SignedHeader> headers_to_sign(const HttpRequest& request, const UrlParts& url, std::string& host) {
  std::vector<SignedHeader> headers;
  headers.reserve(request.headers.list().size() + 1);
  bool has_host = false;
  for (const auto& header : request.headers) {
    std::string name = lower(header.name);
    if (excluded_header(name)) continue;
    has_host = has_host || name == "host";
    headers.push_back({std::move(name), header.value});
  }
  if (!has_host) {
    host = host_header(url);
    headers.push_back({"host", host});
  }
  std::stable_sort(headers.begin(), headers.end(), [](const SignedHeader& a, const SignedHeader& b) { return a.name < b.name; });
  return headers;
}

// Appends the canonical request and returns the signed-headers list.
std::string build_canonical_request(std::string& out, const HttpRequest& request, const UrlParts& url) {
  for (char c : request.method) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  out.push_back('\n');
  append_uri_encoded(out, normalized_path(url.path), true);
  out.push_back('\n');
  append_canonical_query(out, url.query);
  out.push_back('\n');
  std::string host;
  std::vector<SignedHeader> headers = headers_to_sign(request, url, host);
  std::string signed_headers;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    bool repeat = i > 0 && headers[i].name == headers[i - 1].name;
    if (repeat) {
      out.push_back(',');
    } else {
      if (i) {
        out.push_back('\n');
        signed_headers.push_back(';');
      }
      out.append(headers[i].name);
      out.push_back(':');
      signed_headers.append(headers[i].name);
    }
    append_trimmed(out, headers[i].value);
  }
  out.append("\n\n");
  out.append(signed_headers);
  out.push_back('\n');
  if (auto declared = request.headers.get("X-Amz-Content-SHA256")) {
    out.append(*declared);
  } else if (request.body.empty()) {
    out.append(kEmptyHash);
  } else {
    out.append(hex(sha256(request.body)));
  }
  return signed_headers;
}

}  // namespace

std::string amz_date(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::string out = "00000000T000000Z";
  auto put = [&out](std::size_t at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  put(4, tm.tm_mon + 1, 2);
  put(6, tm.tm_mday, 2);
  put(9, tm.tm_hour, 2);
  put(11, tm.tm_min, 2);
  put(13, tm.tm_sec, 2);
  return out;
}

std::string canonical_request(const HttpRequest& request) {
  std::string out;
  build_canonical_request(out, request, split_url(request.url));
  return out;
}

SigV4Signer::SigV4Signer(std::string service, std::string region) : service_(std::move(service)), region_(std::move(region)) {}

SigV4Signer::~SigV4Signer() { explicit_bzero(cached_key_.data(), cached_key_.size()); }

const std::array<unsigned char, 32>& SigV4Signer::signing_key(const Credentials& credentials, const std::string& day) {
  if (day == cached_day_ && !cached_secret_.empty() && cached_secret_ == credentials.secret_access_key) return cached_key_;
  std::string seed = "AWS4" + credentials.secret_access_key.reveal();
  Sha256Digest k_date = hmac_sha256(seed, day);
  wipe(seed);
  Sha256Digest k_region = hmac_sha256(as_view(k_date), region_);
  Sha256Digest k_service = hmac_sha256(as_view(k_region), service_);
  cached_key_ = hmac_sha256(as_view(k_service), "aws4_request");
  explicit_bzero(k_date.data(), k_date.size());
  explicit_bzero(k_region.data(), k_region.size());
  explicit_bzero(k_service.data(), k_service.size());
  cached_day_ = day;
  cached_secret_ = credentials.secret_access_key;
  return cached_key_;
}

void SigV4Signer::sign(HttpRequest& request, const Credentials& credentials, TimePoint now) {
  std::string timestamp = amz_date(now);
  std::string day = timestamp.substr(0, 8);
  request.headers.remove("Authorization");
  request.headers.set("X-Amz-Date", timestamp);
  if (!credentials.session_token.empty()) request.headers.set("X-Amz-Security-Token", credentials.session_token.reveal());

  std::size_t size = 256 + request.url.size() * 3;
  for (const auto& header : request.headers) size += header.name.size() + header.value.size() + 2;
  std::string canonical;
  canonical.reserve(size);
  UrlParts url = split_url(request.url);
  std::string signed_headers = build_canonical_request(canonical, request, url);

  std::string scope = day;
  scope.append("/").append(region_).append("/").append(service_).append("/aws4_request");
  std::string string_to_sign;
  string_to_sign.reserve(160);
  string_to_sign.append(kAlgorithm).append("\n").append(timestamp).append("\n").append(scope).append("\n");
  std::string canonical_hash = hex(sha256(canonical));
  string_to_sign.append(canonical_hash);
  wipe(canonical);
  log::trace("SigV4 signing scope={} signed_headers={} canonical_request_sha256={}", scope, signed_headers, canonical_hash);

  const auto& key = signing_key(credentials, day);
  std::string signature = hex(hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), string_to_sign));

  if (!request.headers.has("Host")) request.headers.add("Host", host_header(url));
  std::string authorization;
  authorization.reserve(200);
  authorization.append(kAlgorithm)
      .append(" Credential=")
      .append(credentials.access_key_id)
      .append("/")
      .append(scope)
      .append(", SignedHeaders=")
      .append(signed_headers)
      .append(", Signature=")
      .append(signature);
  request.headers.set("Authorization", std::move(authorization));
}

}  // namespace atmos::aws
