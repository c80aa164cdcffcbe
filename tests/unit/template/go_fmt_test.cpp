// Expected values were produced by Go 1.19's fmt. The corpus covers fmt through printf; these pin what
// template data cannot express as JSON (infinities, NaN).
#include "template/go_fmt.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace atmos::tmpl::gofmt {
namespace {

TEST(TemplateGoFmt, InfinityAndNaNFollowGoFlags) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<GoValue> args{
      GoValue::of_float(inf),          GoValue::of_float(-inf),         GoValue::of_float(std::nan("")),
      GoValue::of_float(inf),          GoValue::of_float(inf),          GoValue::of_float(-inf),
      GoValue::of_float(std::nan("")), GoValue::of_float(std::nan("")), GoValue::of_float(inf)};
  EXPECT_EQ(sprintf("%v|%v|%v|%5.2f|%-6v|%06v|%+v|% v|%e", args), "+Inf|-Inf|NaN| +Inf|+Inf  |  -Inf|NaN| NaN|+Inf");
}

TEST(TemplateGoFmt, SprintSeparatesOnlyNonStringOperands) {
  std::vector<GoValue> args{GoValue::of_int(1), GoValue::of_int(2), GoValue::of_string("a"), GoValue(),
                            GoValue::of_int(3)};
  EXPECT_EQ(sprint(args), "1 2a<nil> 3");
}

TEST(TemplateGoFmt, NilInterfaceElementsPrintAsNil) {
  Value list = Value::list({Value(), Value(1)});
  std::vector<GoValue> args{GoValue::from_value(list)};
  EXPECT_EQ(sprintf("%v %d %#v", std::vector<GoValue>{args[0], args[0], args[0]}),
            "[<nil> 1] [<nil> 1] []interface {}{interface {}(nil), 1}");
}

TEST(TemplateGoFmt, ReflectValueFormattingDistinguishesInvalid) {
  EXPECT_EQ(sprint_reflect(GoValue(), 'v'), "<invalid reflect.Value>");
  EXPECT_EQ(sprint_reflect(GoValue::from_element(Value("x")), 's'), "x");
}

}  // namespace
}  // namespace atmos::tmpl::gofmt
