// The process environment behind an interface so tests can substitute it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace atmos {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when unset (an empty value is returned as "").
  virtual std::optional<std::string> get(std::string_view name) const = 0;
  std::string get_or(std::string_view name, std::string fallback) const {
    auto v = get(name);
    return v ? *v : fallback;
  }
  // True when set to a value strconv.ParseBool reads as true.
  bool is_true(std::string_view name) const;
};

// Reads the real process environment.
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override;
};

// A fixed set of variables (tests, child environments).
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> vars) : vars_(std::move(vars)) {}
  std::optional<std::string> get(std::string_view name) const override;
  void set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

// Go's strconv.ParseBool: 1,t,T,TRUE,true,True,0,f,F,FALSE,false,False; nullopt otherwise.
std::optional<bool> parse_go_bool(std::string_view s);

}  // namespace atmos
