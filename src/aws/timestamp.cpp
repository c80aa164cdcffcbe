#include "aws/timestamp.hpp"

#include <charconv>
#include <ctime>

namespace atmos::aws {
namespace {

bool number(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return ec == std::errc() && end == text.data() + pos + len;
}

}  // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (!number(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !number(text, 5, 2, month) || text[7] != '-' ||
      !number(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !number(text, 11, 2, hour) ||
      text[13] != ':' || !number(text, 14, 2, minute) || text[16] != ':' || !number(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  long offset_seconds = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset_seconds = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh, om;
    if (!number(zone, 1, 2, oh) || !number(zone, 4, 2, om)) return std::nullopt;
    offset_seconds = (oh * 3600L + om * 60L) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t utc = timegm(&tm) - offset_seconds;
  constexpr auto kLimit = std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count();
  if (utc <= -kLimit || utc >= kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(utc);
}

std::string format_iso8601(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[24];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace atmos::aws
