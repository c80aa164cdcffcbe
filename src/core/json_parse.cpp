#include "core/json_parse.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <string>
#include <vector>

#include "core/error.hpp"

namespace atmos {
namespace {

class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  explicit Builder(bool floats) : floats_(floats) {}

  bool Null() { return add(Value()); }
  bool Bool(bool b) { return add(Value(b)); }
  bool Int(int i) { return number(static_cast<std::int64_t>(i)); }
  bool Uint(unsigned u) { return number(static_cast<std::int64_t>(u)); }
  bool Int64(std::int64_t i) { return number(i); }
  bool Uint64(std::uint64_t u) {
    if (floats_) return add(Value(static_cast<double>(u)));
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) return add(Value(static_cast<std::int64_t>(u)));
    return add(Value::from_uint(u));
  }
  bool Double(double d) { return add(Value(d)); }
  bool String(const char* s, rapidjson::SizeType len, bool) { return add(Value(std::string(s, len))); }
  bool StartObject() {
    frames_.push_back(Frame{true, {}, {}, {}});
    return frames_.size() <= kMaxDepth;
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
    frames_.push_back(Frame{false, {}, {}, {}});
    return frames_.size() <= kMaxDepth;
  }
  bool EndArray(rapidjson::SizeType) {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    return add(Value::list(std::move(f.list)));
  }

  Value result() const { return root_; }
  bool too_deep() const { return frames_.size() > kMaxDepth; }

  // Go's encoding/json nesting limit (maxNestingDepth); the tree must also fit what the recursive printers and
  // merge are given (core/deep_stack.hpp).
  static constexpr std::size_t kMaxDepth = 10000;

 private:
  struct Frame {
    bool is_map;
    std::string key;
    Map map;
    List list;
  };
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
  rapidjson::ParseResult ok =
      reader.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag>(ss, builder);
  if (!ok && builder.too_deep()) {
    throw Error(ErrorKind::Yaml, "invalid JSON: exceeded max depth of " + std::to_string(Builder::kMaxDepth) +
                                     " (at byte " + std::to_string(ok.Offset()) + ")");
  }
  if (!ok) {
    throw Error(ErrorKind::Yaml, std::string("invalid JSON: ") + rapidjson::GetParseError_En(ok.Code()) +
                                     " (at byte " + std::to_string(ok.Offset()) + ")");
  }
  return builder.result();
}

}  // namespace atmos
