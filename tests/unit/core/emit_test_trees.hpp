// Trees shared by the printer tests.
#pragma once

#include <string>

#include "core/value.hpp"

namespace atmos::testing {

// A copy of `v` that shares no node with it.
inline Value deep_copy(const Value& v) {
  if (v.is_map()) {
    Map m;
    for (const auto& [k, item] : v.as_map()) m.emplace_back(k, deep_copy(item));
    return Value::map(std::move(m));
  }
  if (v.is_list()) {
    List l;
    for (const auto& item : v.as_list()) l.push_back(deep_copy(item));
    return Value::list(std::move(l));
  }
  switch (v.kind()) {
    case Kind::Bool: return Value(v.as_bool());
    case Kind::Int: return Value(v.as_int());
    case Kind::Uint: return Value::from_uint(v.as_uint());
    case Kind::Float: return Value(v.as_float());
    case Kind::String: return Value(v.as_string());
    default: return Value();
  }
}

// 48 identities shared by 300 components at two depths and as list items, as the merged `auth` section is.
inline Value shared_workload() {
  Map identities;
  for (int i = 0; i < 48; ++i) {
    identities.emplace_back("identity-" + std::to_string(i),
                            Value::map({{"kind", Value("aws/permission-set")},
                                        {"via", Value::map({{"provider", Value("sso")}})},
                                        {"principal", Value::map({{"name", Value("Admin<" + std::to_string(i) + ">")},
                                                                  {"account", Value::map({{"id", Value("1234")}})}})},
                                        {"regions", Value::list({Value("us-east-1"), Value::map({{"r", Value("b")}})})},
                                        {"ratio", Value(0.25 * i)}}));
  }
  Value auth = Value::map({{"identities", Value::map(std::move(identities))},
                           {"list", Value::list({Value(1), Value("x"), Value::list({Value("nested")})})}});
  Map components;
  for (int i = 0; i < 300; ++i) {
    components.emplace_back("c" + std::to_string(i), Value::map({{"auth", auth},
                                                                 {"nested", Value::map({{"auth", auth}})},
                                                                 {"items", Value::list({auth, Value::list({auth})})}}));
  }
  return Value::map({{"components", Value::map(std::move(components))}, {"auth", auth}});
}

}  // namespace atmos::testing
