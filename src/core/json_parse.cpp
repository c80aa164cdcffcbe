#include "core/json_parse.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace atmos {
namespace {

class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  explicit Builder(bool floats) : floats_(floats) {}

  bool Null() { return add(Value()); }
  bool Bool(bool b) { return add(Value(b)); }
  // Numbers arrive as their text (kParseNumbersAsStringsFlag) and are converted here: RapidJSON 1.1.0's own
  // full-precision conversion gets "0e308" wrong (a count of leading zeros of zero). Integers that fit stay
  // integers, as RapidJSON reports them; the rest become the correctly rounded double.
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    const char* end = s + len;
    if (std::string_view(s, len).find_first_of(".eE") == std::string_view::npos) {
      std::int64_t i;
      if (auto r = std::from_chars(s, end, i); r.ec == std::errc() && r.ptr == end) return number(i);
      std::uint64_t u;
      if (auto r = std::from_chars(s, end, u); r.ec == std::errc() && r.ptr == end) {
        if (floats_) return add(Value(static_cast<double>(u)));
        return add(Value::from_uint(u));
      }
    }
    errno = 0;
    double d = std::strtod(std::string(s, len).c_str(), nullptr);
    if (errno == ERANGE && std::isinf(d)) {
      too_big_ = true;
      return false;
    }
    return add(Value(d));
  }
  bool String(const char* s, rapidjson::SizeType len, bool) { return add(Value(std::string(s, len))); }
  bool StartObject() {
    if (frames_.size() >= limits::kJsonDepth) return too_deep();
    frames_.push_back(Frame{true, {}, {}, {}});
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    frames_.back().key.assign(s, len);
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    return add(Value::map(std::move(f.map)));
  }
  bool StartArray() {
    if (frames_.size() >= limits::kJsonDepth) return too_deep();
    frames_.push_back(Frame{false, {}, {}, {}});
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    return add(Value::list(std::move(f.list)));
  }

  Value result() const { return root_; }
  // Why the handler stopped the parse, if it did.
  bool too_deep_ = false;
  bool too_big_ = false;

 private:
  struct Frame {
    bool is_map;
    std::string key;
    Map map;
    List list;
  };
  bool too_deep() {
    too_deep_ = true;
    return false;
  }
  bool number(std::int64_t i) { return add(floats_ ? Value(static_cast<double>(i)) : Value(i)); }
  bool add(Value v) {
    if (frames_.empty()) {
      root_ = std::move(v);
    } else if (frames_.back().is_map) {
      frames_.back().map.emplace_back(std::move(frames_.back().key), std::move(v));
    } else {
      frames_.back().list.push_back(std::move(v));
    }
    return true;
  }

  bool floats_;
  std::vector<Frame> frames_;
  Value root_;
};

}  // namespace

Value parse_json(std::string_view text, bool go_any_numbers) {
  Builder builder(go_any_numbers);
  rapidjson::Reader reader;
  std::string copy(text);
  rapidjson::StringStream ss(copy.c_str());
  // Iterative: nesting costs heap, not stack; the builder stops at limits::kJsonDepth.
  rapidjson::ParseResult ok = reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag>(ss, builder);
  if (!ok && builder.too_deep_) {
    throw Error(ErrorKind::Yaml, "invalid JSON: nested deeper than " + std::to_string(limits::kJsonDepth) +
                                     " levels, the limit (see docs/limits.md) (at byte " + std::to_string(ok.Offset()) + ")");
  }
  if (!ok && builder.too_big_) {
    throw Error(ErrorKind::Yaml, std::string("invalid JSON: ") + rapidjson::GetParseError_En(rapidjson::kParseErrorNumberTooBig) +
                                     " (at byte " + std::to_string(ok.Offset()) + ")");
  }
  if (!ok) {
    throw Error(ErrorKind::Yaml, std::string("invalid JSON: ") + rapidjson::GetParseError_En(ok.Code()) +
                                     " (at byte " + std::to_string(ok.Offset()) + ")");
  }
  return builder.result();
}

}  // namespace atmos
