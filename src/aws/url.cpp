#include "aws/url.hpp"

namespace atmos::aws {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  auto colon = url.find(':');
  if (colon != std::string_view::npos) {
    parts.scheme = lower(url.substr(0, colon));
    url.remove_prefix(colon + 1);
  }
  if (url.substr(0, 2) == "//") {
    url.remove_prefix(2);
    auto end = url.find_first_of("/?#");
    std::string_view netloc = url.substr(0, end);
    url.remove_prefix(end == std::string_view::npos ? url.size() : end);
    auto at = netloc.rfind('@');
    if (at != std::string_view::npos) netloc.remove_prefix(at + 1);
    std::string_view host = netloc;
    std::string_view port;
    if (auto open = netloc.find('['); open != std::string_view::npos) {
      auto close = netloc.find(']', open);
      host = netloc.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
      if (close != std::string_view::npos) {
        std::string_view rest = netloc.substr(close + 1);
        if (auto c = rest.find(':'); c != std::string_view::npos) port = rest.substr(c + 1);
      }
      parts.ipv6 = true;
    } else if (auto c = netloc.find(':'); c != std::string_view::npos) {
      host = netloc.substr(0, c);
      port = netloc.substr(c + 1);
    }
    parts.host = lower(host);
    parts.port = std::string(port);
  }
  url = url.substr(0, url.find('#'));
  auto question = url.find('?');
  parts.path = std::string(url.substr(0, question));
  if (question != std::string_view::npos) parts.query = std::string(url.substr(question + 1));
  return parts;
}

std::string host_header(const UrlParts& url) {
  std::string host = url.ipv6 ? "[" + url.host + "]" : url.host;
  // Python's urlsplit reads the port as an integer, so "0443" is the default port too.
  std::string_view port = url.port;
  while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
  bool is_default = (url.scheme == "https" && port == "443") || (url.scheme == "http" && port == "80");
  if (!port.empty() && !is_default) host += ":" + std::string(port);
  return host;
}

void append_uri_encoded(std::string& out, std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  append_uri_encoded(out, text, keep_slash);
  return out;
}

std::string encode_query(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    append_uri_encoded(out, key);
    out.push_back('=');
    append_uri_encoded(out, value);
  }
  return out;
}

}  // namespace atmos::aws
