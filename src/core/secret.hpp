// Credential material (secret access keys, session tokens, SSO access/refresh tokens, client secrets, device
// codes, web-identity tokens, sign-in tokens) held so that it cannot reach a log or a terminal by accident.
//
// A Secret has no fmt formatter and no stream operator, so `fmt::format("{}", secret)` does not compile;
// `redacted()` gives at most a four-character prefix ("ASIA…"). The bytes are wiped when the Secret is
// destroyed, assigned over or moved from. `reveal()` is the one way to the value: call it only to put the
// value on the wire or into a credentials file, never into a message. Not thread-safe for concurrent writes.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace atmos {

// Overwrites every byte of `s` (its whole capacity) in a way the compiler cannot elide, then clears it.
void wipe(std::string& s);

class Secret {
 public:
  Secret() = default;
  // Takes the value; the parameter's buffer is wiped (pass an rvalue to leave no copy behind).
  explicit Secret(std::string value);
  Secret(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::size_t size() const { return value_.size(); }
  // "ASIA…" for values of 16 characters or more (access-key style), "…" for shorter non-empty values, "" for
  // an empty one.
  std::string redacted() const;

  // Constant-time comparison of the values.
  friend bool operator==(const Secret& a, const Secret& b);

 private:
  std::string value_;
};

// GoogleTest's printer hook: failures show the redacted form, never the value.
void PrintTo(const Secret& secret, std::ostream* out);

}  // namespace atmos
