#pragma once

// Where the decoder stands in the stream and where a restart must begin:
// the one place positions advance. A restart begins at the start of the
// open transaction and skips the rows of it that were delivered; with XA
// transactions prepared but undecided it begins at the oldest one's start
// instead (the anchor) and skips every row counted since.

#include <cstdint>
#include <string>

#include "binlog/position.hpp"

namespace binlog {

class stream_position {
public:
  /// Reading starts at `from` (its file; its skip_rows rows of the first
  /// transaction were delivered before).
  void start_at(const position& from) {
    file_ = from.file;
    skip_rows_ = from.skip_rows;
    open_ = false;
  }

  /// The binlog file the events belong to.
  const std::string& file() const {
    return file_;
  }
  void set_file(std::string file) {
    file_ = std::move(file);
  }

  /// Whether a transaction is open, and whether it began with BEGIN (or
  /// what stands for it): then statements inside it belong to it.
  bool open() const {
    return open_;
  }
  bool has_begin() const {
    return has_begin_;
  }
  void set_has_begin(bool on) {
    has_begin_ = on;
  }

  /// A transaction starts at `offset` of the current file, after the GTID
  /// state `gtid` (a replica given it sends this transaction again).
  void begin(uint64_t offset, bool explicit_begin, const std::string& gtid) {
    open_ = true;
    has_begin_ = explicit_begin;
    start_.file = file_;
    start_.pos = offset;
    start_.skip_rows = 0;
    start_.gtid = gtid;
    rows_ = 0;
  }

  /// The open transaction's start.
  const position& start() const {
    return start_;
  }

  /// Rows of the open transaction read so far.
  uint64_t rows() const {
    return rows_;
  }

  /// Counts a row; returns its number in the transaction (from 1).
  uint64_t count_row() {
    if (anchored_)
      ++rows_since_anchor_;
    return ++rows_;
  }

  /// True, once per row, for the rows a restart skips (delivered before).
  bool skip_row() {
    if (skip_rows_ == 0)
      return false;
    --skip_rows_;
    return true;
  }

  /// Rows still to skip.
  uint64_t rows_to_skip() const {
    return skip_rows_;
  }

  /// Where delivery of a record that completes `row` rows of the open
  /// transaction releases to: a transaction start and a row count.
  const position& release_point(uint64_t row, uint64_t& row_out) const;

  /// Where reading resumes after everything before `next` of the current
  /// file, between transactions; `gtid` is the GTID state there.
  position after(uint64_t next, const std::string& gtid) const;

  /// The open transaction ends before `next`: where reading resumes.
  position end(uint64_t next, const std::string& gtid);

  /// An XA transaction that started at `start` was prepared: until none is
  /// undecided, restarts begin at the oldest one's start.
  void anchor_at(const position& start);

  /// No XA transaction is undecided any more.
  void release_anchor();

private:
  std::string file_;
  bool open_ = false;
  bool has_begin_ = false;
  position start_;
  uint64_t rows_ = 0;
  uint64_t skip_rows_ = 0;
  bool anchored_ = false;
  position anchor_;
  uint64_t rows_since_anchor_ = 0;
};

} // namespace binlog
