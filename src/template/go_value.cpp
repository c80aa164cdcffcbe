#include "template/go_value.hpp"

#include <stdexcept>

namespace atmos::tmpl {

GoValue GoValue::nil_interface() {
  GoValue v;
  v.kind_ = GoKind::NilInterface;
  v.boxed_ = true;
  return v;
}

GoValue GoValue::of_bool(bool b) {
  GoValue v;
  v.kind_ = GoKind::Bool;
  v.b_ = b;
  return v;
}

GoValue GoValue::of_int(std::int64_t i) {
  GoValue v;
  v.kind_ = GoKind::Int;
  v.i_ = i;
  return v;
}

GoValue GoValue::of_uint8(std::uint8_t u) {
  GoValue v;
  v.kind_ = GoKind::Uint8;
  v.u_ = u;
  return v;
}

GoValue GoValue::of_uint64(std::uint64_t u) {
  GoValue v;
  v.kind_ = GoKind::Uint64;
  v.u_ = u;
  return v;
}

GoValue GoValue::of_float(double f) {
  GoValue v;
  v.kind_ = GoKind::Float64;
  v.f_ = f;
  return v;
}

GoValue GoValue::of_complex(double re, double im) {
  GoValue v;
  v.kind_ = GoKind::Complex128;
  v.f_ = re;
  v.im_ = im;
  return v;
}

GoValue GoValue::of_string(std::string s) {
  GoValue v;
  v.kind_ = GoKind::String;
  v.ref_ = Value(std::move(s));
  return v;
}

GoValue GoValue::of_slice(Value list, std::size_t off, std::size_t len, std::size_t cap) {
  GoValue v;
  v.kind_ = GoKind::Slice;
  v.ref_ = std::move(list);
  v.off_ = off;
  v.len_ = len;
  v.cap_ = cap;
  return v;
}

GoValue GoValue::from_value(const Value& value) {
  GoValue v;
  switch (value.kind()) {
    case Kind::Null: return v;
    case Kind::Bool: return of_bool(value.as_bool());
    case Kind::Int: return of_int(value.as_int());
    case Kind::Uint: return of_uint64(value.as_uint());
    case Kind::Float: return of_float(value.as_float());
    case Kind::String:
      v.kind_ = GoKind::String;
      v.ref_ = value;
      return v;
    case Kind::List: return of_slice(value, 0, value.size(), value.size());
    case Kind::Map:
      v.kind_ = GoKind::Map;
      v.ref_ = value;
      return v;
  }
  return v;
}

GoValue GoValue::from_element(const Value& value) {
  if (value.is_null()) return nil_interface();
  GoValue v = from_value(value);
  v.boxed_ = true;
  return v;
}

GoValue GoValue::unboxed() const {
  if (kind_ == GoKind::NilInterface) return GoValue();
  GoValue v = *this;
  v.boxed_ = false;
  return v;
}

GoValue GoValue::slice_elem(std::size_t i) const { return from_element(ref_.as_list()[off_ + i]); }

GoValue GoValue::reslice(std::size_t i, std::size_t j, std::size_t k) const {
  return of_slice(ref_, off_ + i, j - i, k - i);
}

Value GoValue::to_value() const {
  switch (kind_) {
    case GoKind::Invalid:
    case GoKind::NilInterface: return Value();
    case GoKind::Bool: return Value(b_);
    case GoKind::Int: return Value(i_);
    case GoKind::Uint8:
    case GoKind::Uint64: return Value::from_uint(u_);
    case GoKind::Float64: return Value(f_);
    case GoKind::Complex128: throw std::logic_error("complex value has no Value form");
    case GoKind::String:
    case GoKind::Map: return ref_;
    case GoKind::Slice: {
      const List& all = ref_.as_list();
      if (off_ == 0 && len_ == all.size()) return ref_;
      auto first = all.begin() + static_cast<std::ptrdiff_t>(off_);
      return Value::list(List(first, first + static_cast<std::ptrdiff_t>(len_)));
    }
  }
  return Value();
}

std::string_view GoValue::concrete_type_name() const {
  switch (kind_) {
    case GoKind::Invalid: return "<nil>";
    case GoKind::NilInterface: return "interface {}";
    case GoKind::Bool: return "bool";
    case GoKind::Int: return "int";
    case GoKind::Uint8: return "uint8";
    case GoKind::Uint64: return "uint64";
    case GoKind::Float64: return "float64";
    case GoKind::Complex128: return "complex128";
    case GoKind::String: return "string";
    case GoKind::Slice: return "[]interface {}";
    case GoKind::Map: return "map[string]interface {}";
  }
  return "";
}

std::string_view GoValue::type_name() const { return boxed_ ? "interface {}" : concrete_type_name(); }

}  // namespace atmos::tmpl
