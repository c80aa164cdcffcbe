#include "aws/http.hpp"

#include <algorithm>

#include "core/secret.hpp"

namespace atmos::aws {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

HttpHeaders::~HttpHeaders() {
  for (auto& header : list_) wipe(header.value);
}

std::optional<std::string_view> HttpHeaders::get(std::string_view name) const {
  for (const auto& header : list_) {
    if (header_name_equals(header.name, name)) return std::string_view(header.value);
  }
  return std::nullopt;
}

void HttpHeaders::add(std::string name, std::string value) { list_.push_back({std::move(name), std::move(value)}); }

void HttpHeaders::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void HttpHeaders::remove(std::string_view name) {
  auto gone = std::remove_if(list_.begin(), list_.end(), [&](HttpHeader& h) {
    if (!header_name_equals(h.name, name)) return false;
    wipe(h.value);
    return true;
  });
  list_.erase(gone, list_.end());
}

HttpRequest::~HttpRequest() { wipe(body); }

HttpResponse::~HttpResponse() { wipe(body); }

}  // namespace atmos::aws
