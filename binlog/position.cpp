#include "binlog/position.hpp"

#include <charconv>

namespace binlog {

std::string to_string(const position& x) {
  auto result = x.file + ":" + std::to_string(x.pos);
  if (x.skip_rows > 0)
    result += "+" + std::to_string(x.skip_rows) + " rows";
  if (!x.gtid.empty())
    result += " gtid " + x.gtid;
  return result;
}

bool binlog_file_before(const std::string& x, const std::string& y) {
  auto dot_x = x.rfind('.');
  auto dot_y = y.rfind('.');
  if (dot_x == std::string::npos || dot_y == std::string::npos
      || x.compare(0, dot_x, y, 0, dot_y) != 0)
    return false; // other base names: nothing to compare
  uint64_t nx = 0;
  uint64_t ny = 0;
  auto [px, ex] = std::from_chars(x.data() + dot_x + 1, x.data() + x.size(),
                                  nx);
  auto [py, ey] = std::from_chars(y.data() + dot_y + 1, y.data() + y.size(),
                                  ny);
  if (ex != std::errc{} || ey != std::errc{} || px != x.data() + x.size()
      || py != y.data() + y.size())
    return false;
  return nx < ny;
}

std::optional<position> parse_position(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  position result;
  result.file = std::string{text.substr(0, colon)};
  auto digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                   result.pos);
  if (ec != std::errc{} || end != digits.data() + digits.size()
      || result.pos < 4)
    return std::nullopt;
  return result;
}

} // namespace binlog
