// ISO 8601 / RFC 3339 timestamps as AWS writes them in responses ("2024-06-04T12:00:00Z",
// "2024-06-04T12:00:00.123Z", "2024-06-04T14:00:00+02:00").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/clock.hpp"

namespace atmos::aws {

// nullopt when the text is not such a timestamp, or one TimePoint cannot hold (before 1678 or after 2261: the
// clock counts nanoseconds in 64 bits). Fractions of a second are dropped.
std::optional<TimePoint> parse_iso8601(std::string_view text);
// "2024-06-04T12:00:00Z"
std::string format_iso8601(TimePoint t);

}  // namespace atmos::aws
