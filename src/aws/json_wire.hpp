// JSON request bodies and responses of the REST-JSON services (SSO, SSO-OIDC, sign-in) on RapidJSON.
//
// Responses are parsed in place inside the response body, so the decoded strings live in that buffer and
// are wiped with it (HttpResponse wipes its body) rather than copied into a DOM allocator.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.hpp"

namespace atmos::aws {

// Builds one flat JSON object. Members are written in call order; strings are escaped per RFC 8259.
class JsonObjectWriter {
 public:
  JsonObjectWriter() : text_("{") {}
  JsonObjectWriter(const JsonObjectWriter&) = delete;
  JsonObjectWriter& operator=(const JsonObjectWriter&) = delete;
  ~JsonObjectWriter();

  JsonObjectWriter& string(std::string_view name, std::string_view value);
  // Skipped when empty, for optional members.
  JsonObjectWriter& optional_string(std::string_view name, std::string_view value);
  JsonObjectWriter& strings(std::string_view name, const std::vector<std::string>& values);
  // Moves the finished text out (the writer is empty afterwards).
  std::string finish();

 private:
  void key(std::string_view name);
  std::string text_;
};

// A parsed JSON object response. `body` must outlive the document: it is parsed in place (and modified).
class JsonResponse {
 public:
  // Throws std::runtime_error on malformed JSON or a non-object; the message has the
  // RapidJSON error and offset, never the text.
  explicit JsonResponse(std::string& body);

  const rapidjson::Value& root() const { return document_; }
  std::string string(std::string_view name) const { return string_in(document_, name); }
  Secret secret(std::string_view name) const;
  std::optional<std::int64_t> integer(std::string_view name) const { return integer_in(document_, name); }

  static std::string string_in(const rapidjson::Value& object, std::string_view name);
  static std::optional<std::int64_t> integer_in(const rapidjson::Value& object, std::string_view name);
  static const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name);

 private:
  rapidjson::Document document_;
};

}  // namespace atmos::aws
