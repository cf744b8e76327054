#include "binlog/stream_position.hpp"

// Out of line (the per-row calls stay inline): where positions are made is
// one object, which the mutation check (tests/mutate.sh) rebuilds alone.

namespace binlog {

const position& stream_position::release_point(uint64_t row,
                                               uint64_t& row_out) const {
  if (anchored_) {
    // The same row counted from the anchor.
    row_out = rows_since_anchor_ - (rows_ - row);
    return anchor_;
  }
  row_out = row;
  return start_;
}

position stream_position::after(uint64_t next, const std::string& gtid) const {
  if (anchored_) {
    auto at = anchor_;
    at.skip_rows = rows_since_anchor_;
    return at;
  }
  position at;
  at.file = file_;
  at.pos = next;
  at.gtid = gtid;
  return at;
}

position stream_position::end(uint64_t next, const std::string& gtid) {
  open_ = false;
  has_begin_ = false;
  // A skip applies to the transaction we resumed inside, or with XA
  // transactions undecided to everything since the anchor.
  if (!anchored_)
    skip_rows_ = 0;
  return after(next, gtid);
}

void stream_position::anchor_at(const position& start) {
  if (anchored_)
    return;
  anchored_ = true;
  anchor_ = start;
  anchor_.skip_rows = 0;
  rows_since_anchor_ = 0;
}

void stream_position::release_anchor() {
  anchored_ = false;
  rows_since_anchor_ = 0;
}

} // namespace binlog
