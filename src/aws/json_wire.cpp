#include "aws/json_wire.hpp"

#include <rapidjson/error/en.h>

#include <stdexcept>

namespace atmos::aws {
namespace {

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

JsonObjectWriter::~JsonObjectWriter() { wipe(text_); }

void JsonObjectWriter::key(std::string_view name) {
  if (text_.size() > 1) text_.push_back(',');
  append_json_string(text_, name);
  text_.push_back(':');
}

JsonObjectWriter& JsonObjectWriter::string(std::string_view name, std::string_view value) {
  key(name);
  append_json_string(text_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::optional_string(std::string_view name, std::string_view value) {
  return value.empty() ? *this : string(name, value);
}

JsonObjectWriter& JsonObjectWriter::strings(std::string_view name, const std::vector<std::string>& values) {
  key(name);
  text_.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) text_.push_back(',');
    append_json_string(text_, values[i]);
  }
  text_.push_back(']');
  return *this;
}

std::string JsonObjectWriter::finish() {
  text_.push_back('}');
  std::string out = std::move(text_);
  text_.clear();
  return out;
}

JsonResponse::JsonResponse(std::string& body) {
  document_.ParseInsitu<rapidjson::kParseIterativeFlag>(body.data());  // nesting costs heap, not stack
  if (document_.HasParseError()) {
    throw std::runtime_error(std::string("malformed JSON response: ") + rapidjson::GetParseError_En(document_.GetParseError()) +
                             " (offset " + std::to_string(document_.GetErrorOffset()) + ")");
  }
  if (!document_.IsObject()) throw std::runtime_error("JSON response is not an object");
}

const rapidjson::Value* JsonResponse::member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string JsonResponse::string_in(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::optional<std::int64_t> JsonResponse::integer_in(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  if (!v) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsNumber()) return static_cast<std::int64_t>(v->GetDouble());
  return std::nullopt;
}

Secret JsonResponse::secret(std::string_view name) const { return Secret(string(name)); }

}  // namespace atmos::aws
