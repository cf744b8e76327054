#pragma once

// The reading loop that the reader actor and `dump --source` share: a
// source started at a position, its events read and decoded one by one.
// What to do with the records (batches and credit, or stdout) is the
// caller's.

#include <cstddef>

#include "binlog/decoder.hpp"
#include "binlog/error.hpp"
#include "binlog/event.hpp"
#include "binlog/position.hpp"
#include "binlog/source.hpp"

namespace binlog {

class stream {
public:
  /// Decodes what `src` reads into `sink`, its records made by `encoder`.
  stream(source& src, record_encoder encoder, record_sink& sink);

  /// Starts the source at `from`: by its file and offset, or by its GTID
  /// state (`by_gtid`). With `carry_gtid_state` every position handed on
  /// carries the GTID state (the reader's, so that a later failover can
  /// resume by it; dump needs only the records).
  error start(const position& from, bool by_gtid, bool carry_gtid_state);

  /// One event read and decoded.
  struct event {
    event_type type = event_type::unknown;
    /// 0: the end of a non-blocking dump.
    size_t size = 0;
    /// Where the next event starts in the current file (0: not known, an
    /// artificial event).
    uint64_t end = 0;
  };

  /// Reads the next event and decodes it.
  error next(event& ev);

  binlog::decoder& dec() {
    return decoder_;
  }
  const binlog::decoder& dec() const {
    return decoder_;
  }
  source& src() {
    return source_;
  }

private:
  source& source_;
  binlog::decoder decoder_;
};

} // namespace binlog
