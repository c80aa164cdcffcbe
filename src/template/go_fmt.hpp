// Go's fmt package over GoValue: Sprint, Sprintln, Sprintf with every verb, flag, width, precision,
// argument index and error marker (%!d(string=x), %!(EXTRA ...), %!v(MISSING), ...) that fmt produces
// for the types a template handles. Output is byte-identical to Go 1.19.
//
// Arguments are Go `any` values: an invalid value or a nil interface is a nil `any` and prints <nil>.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "template/go_value.hpp"

namespace atmos::tmpl::gofmt {

// fmt.Sprint(args...).
std::string sprint(std::span<const GoValue> args);
// fmt.Sprintln(args...).
std::string sprintln(std::span<const GoValue> args);
// fmt.Sprintf(format, args...).
std::string sprintf(std::string_view format, std::span<const GoValue> args);
// fmt.Sprintf("%<verb>", v) where v is a reflect.Value (as in error messages that format reflect.Values):
// an invalid value prints <invalid reflect.Value> rather than <nil>.
std::string sprint_reflect(const GoValue& v, char verb);

}  // namespace atmos::tmpl::gofmt
