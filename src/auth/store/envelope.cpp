#include "auth/store/envelope.hpp"

#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/value.hpp"

namespace atmos::auth {

Secret encode_user_keys(const AwsUserKeys& keys) {
  Map data;
  data.push_back({"access_key_id", Value(keys.access_key_id)});
  if (!keys.mfa_arn.empty()) data.push_back({"mfa_arn", Value(keys.mfa_arn)});
  data.push_back({"secret_access_key", Value(keys.secret_access_key.reveal())});
  if (!keys.session_duration.empty()) data.push_back({"session_duration", Value(keys.session_duration)});
  Value envelope = Value::map({{"data", Value::map(std::move(data))}, {"type", Value("aws")}});
  return Secret(to_json(envelope, JsonStyle::Compact));
}

std::optional<AwsUserKeys> decode_user_keys(const Secret& value) {
  Value doc;
  try {
    doc = parse_json(value.reveal());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!doc.is_map() || doc.get("type") != Value("aws")) return std::nullopt;
  Value data = doc.get("data");
  auto str = [&](const char* k) { return data.get(k).is_string() ? data.get(k).as_string() : std::string(); };
  AwsUserKeys keys{str("access_key_id"), Secret(str("secret_access_key")), str("mfa_arn"), str("session_duration")};
  if (keys.access_key_id.empty() || keys.secret_access_key.empty()) return std::nullopt;
  return keys;
}

}  // namespace atmos::auth
