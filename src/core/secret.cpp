#include "core/secret.hpp"

#include <string.h>

#include <ostream>
#include <utility>

namespace atmos {

void wipe(std::string& s) {
  explicit_bzero(s.data(), s.capacity());
  s.clear();
}

Secret::Secret(std::string value) : value_(std::move(value)) { wipe(value); }

Secret::Secret(const Secret& other) : value_(other.value_) {}

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { wipe(other.value_); }

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe(value_);
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe(value_);
    value_ = std::move(other.value_);
    wipe(other.value_);
  }
  return *this;
}

Secret::~Secret() { wipe(value_); }

std::string Secret::redacted() const {
  if (value_.empty()) return "";
  if (value_.size() < 16) return "…";
  return value_.substr(0, 4) + "…";
}

bool operator==(const Secret& a, const Secret& b) {
  if (a.value_.size() != b.value_.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.value_.size(); ++i) {
    diff |= static_cast<unsigned char>(a.value_[i] ^ b.value_[i]);
  }
  return diff == 0;
}

void PrintTo(const Secret& secret, std::ostream* out) { *out << "Secret(" << secret.redacted() << ")"; }

}  // namespace atmos
