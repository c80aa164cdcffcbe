// A value as Go's text/template sees it while executing: a reflect.Value over the types that yaml.v3
// decodes into map[string]any (bool, int, uint64, float64, string, []interface {}, map[string]interface {}),
// plus the few types the template machinery itself produces (uint8 from `index` on a string,
// complex128 from literals like 1i).
//
// Two Go distinctions that change behaviour and error texts are kept:
//   * invalid (the zero reflect.Value: a missing map key, nil data) versus a nil interface{} (a YAML null
//     held in a map or list, missingkey=zero) — e.g. `.a.b` prints <no value> for the first and fails with
//     "nil pointer evaluating interface {}.b" for the second;
//   * boxed: the value's static type is interface{} (map and list elements, function results), which is
//     what Go names in "can't evaluate field x in type interface {}".
// Lists are slice views (offset, length, capacity) over an immutable list, because Go's `slice` keeps the
// capacity of the underlying array and a later `slice` may extend into it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/value.hpp"

namespace atmos::tmpl {

enum class GoKind : std::uint8_t {
  Invalid,
  NilInterface,
  Bool,
  Int,
  Uint8,
  Uint64,
  Float64,
  Complex128,
  String,
  Slice,
  Map,
};

class GoValue {
 public:
  GoValue() = default;  // invalid
  static GoValue nil_interface();
  static GoValue of_bool(bool b);
  static GoValue of_int(std::int64_t i);
  static GoValue of_uint8(std::uint8_t u);
  static GoValue of_uint64(std::uint64_t u);
  static GoValue of_float(double f);
  static GoValue of_complex(double re, double im);
  static GoValue of_string(std::string s);
  // `list` must be a list Value; the view is list[off : off+len] with capacity `cap` from `off`.
  static GoValue of_slice(Value list, std::size_t off, std::size_t len, std::size_t cap);
  // A Value as reflect.ValueOf(x) sees the any `x`: null is invalid, the rest concrete.
  static GoValue from_value(const Value& v);
  // A Value stored in an interface{} slot (map or list element, function result): boxed, null is a nil interface.
  static GoValue from_element(const Value& v);

  GoKind kind() const { return kind_; }
  bool valid() const { return kind_ != GoKind::Invalid; }
  // True for invalid values and nil interfaces: what a Go function sees as a nil `any`.
  bool is_nil() const { return kind_ == GoKind::Invalid || kind_ == GoKind::NilInterface; }
  bool boxed() const { return boxed_; }
  // reflect.ValueOf(v.Interface()): drops the interface box; a nil interface becomes invalid.
  GoValue unboxed() const;

  bool as_bool() const { return b_; }
  std::int64_t as_int() const { return i_; }    // Int
  std::uint64_t as_uint() const { return u_; }  // Uint8, Uint64
  double as_float() const { return f_; }        // Float64; real part of Complex128
  double imag() const { return im_; }           // Complex128
  const std::string& as_string() const { return ref_.as_string(); }
  const Value& ref() const { return ref_; }  // the String, Slice (whole list) or Map payload

  // Slices: length, capacity and element i (boxed, as reflect's Index on []interface{}).
  std::size_t slice_len() const { return len_; }
  std::size_t slice_cap() const { return cap_; }
  GoValue slice_elem(std::size_t i) const;
  // Elements in [i, j) of the capacity window, for Go's s[i:j:k].
  GoValue reslice(std::size_t i, std::size_t j, std::size_t k) const;

  const Map& map_entries() const { return ref_.as_map(); }

  // The Value a function receives (nil -> null, slice views materialised). Complex numbers have no
  // Value form: callers check for them first.
  Value to_value() const;

  // reflect.Type.String() of the dynamic (concrete) type: "int", "[]interface {}", ...
  // A nil interface reports "interface {}".
  std::string_view concrete_type_name() const;
  // reflect.Type.String() of the static type: "interface {}" when boxed, else the concrete name.
  std::string_view type_name() const;

 private:
  GoKind kind_ = GoKind::Invalid;
  bool boxed_ = false;
  bool b_ = false;
  std::int64_t i_ = 0;
  std::uint64_t u_ = 0;
  double f_ = 0;
  double im_ = 0;
  Value ref_;
  std::size_t off_ = 0;
  std::size_t len_ = 0;
  std::size_t cap_ = 0;
};

}  // namespace atmos::tmpl
