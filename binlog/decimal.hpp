#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace binlog {

/// Bytes that DECIMAL(precision, scale) takes in a row image.
size_t decimal_size(unsigned precision, unsigned scale);

/// Appends the exact decimal text of a DECIMAL(precision, scale) value in
/// MySQL's binary format, with `scale` digits after the point ("-12.3400").
/// `p` must hold decimal_size(precision, scale) bytes; precision <= 65,
/// scale <= 30 and scale <= precision.
void append_decimal(std::string& out, const uint8_t* p, unsigned precision,
                    unsigned scale);

} // namespace binlog
