#pragma once

#include <string>
#include <string_view>

namespace binlog {

/// Lower-case hex digits, for the writers that format bytes in place.
inline constexpr char hex_digits[] = "0123456789abcdef";

/// Appends the lower-case hex digits of `bytes` to `out`.
void append_hex(std::string& out, std::string_view bytes);

/// The lower-case hex digits of `bytes`.
std::string to_hex(std::string_view bytes);

/// The value of a hex digit of either case, or -1.
int hex_digit_value(char c);

/// Decodes hex digits of either case into `out`; false on an odd length or
/// a character that is not a hex digit.
bool from_hex(std::string_view hex, std::string& out);

} // namespace binlog
