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

std::optional<position> parse_position(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0
      || colon + 1 == text.size())
    return std::nullopt;
  position result;
  result.file = std::string{text.substr(0, colon)};
  auto digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(),
                                   digits.data() + digits.size(), result.pos);
  if (ec != std::errc{} || end != digits.data() + digits.size()
      || result.pos < 4)
    return std::nullopt;
  return result;
}

} // namespace binlog
