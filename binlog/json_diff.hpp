#pragma once

// PARTIAL_UPDATE_ROWS (binlog_row_value_options=PARTIAL_JSON): MySQL logs
// an UPDATE of a JSON column made with JSON_SET, JSON_REPLACE or
// JSON_REMOVE as a list of diffs instead of the whole new document. The
// after-image of each row then starts with a packed `value_options` and,
// when its PARTIAL_JSON_UPDATES bit is set, a bitmap with one bit per JSON
// column of the table (whether in the image or not) saying which values
// are diffs. A diff value is, after the usual length prefix, a list of
//   operation (1 byte: 0 REPLACE, 1 INSERT, 2 REMOVE),
//   packed length + path text ("$.a[2]"),
//   packed length + binary JSON value (not for REMOVE).
//
// Where the before-image holds the column's document, the diffs are applied
// to it, as a MySQL replica does, giving the full after-image document.
// Where it does not (binlog_row_image=MINIMAL), the column's value becomes
// a document that describes the diffs (docs/json.md):
//   {"$partial_json": [{"op": "replace", "path": "$.a", "value": 1},
//                      {"op": "remove", "path": "$.b"}]}
// Either way the record gets a binary JSON document, printed like any other.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/error.hpp"
#include "binlog/record.hpp"
#include "binlog/table_map.hpp"

namespace binlog {

/// Reads the head of a PARTIAL_UPDATE_ROWS after-image at `p`: the packed
/// value_options and, when partial JSON is on, the bitmap over the table's
/// JSON columns. `partial_bits` is null when no value of the row is a diff.
bool read_partial_json_head(const table_map& map, const uint8_t*& p,
                            const uint8_t* end, const uint8_t*& partial_bits);

/// Applies JSON diff lists to binary JSON documents, or describes them.
/// Reuses its buffers: no allocation per row once they have grown.
class json_patcher {
public:
  /// Applies the diff list (a partial value without its length prefix) to
  /// `doc` and appends the resulting binary document to `out`. Fails
  /// (errc::corrupt_event) on a malformed list or a diff that does not
  /// apply (a path MySQL's replica would reject too).
  error apply(const uint8_t* doc, size_t doc_size, const uint8_t* diffs,
              size_t diffs_size, std::string& out);

  /// Appends the binary document {"$partial_json": [...]} that describes
  /// the diff list.
  error describe(const uint8_t* diffs, size_t diffs_size, std::string& out);

private:
  /// A value of the document being patched: a view of binary JSON bytes
  /// (from the before-image or a diff), a string to be encoded, or an object
  /// or array whose children are listed (materialized along a diff's path).
  struct node {
    enum kind_type : uint8_t { view, text, object, array };
    kind_type kind = view;
    uint8_t type = 0;              // view: binary type of `data`
    const uint8_t* data = nullptr; // view: the value's bytes; text: chars
    size_t size = 0;
    uint32_t kids = 0;     // object, array: index into kids_
    size_t large_size = 0; // serialized size in the large form, or 0
  };
  struct member {
    std::string_view key; // objects only
    uint32_t node;
  };
  struct leg {
    std::string_view key; // member leg, or empty with is_index
    bool is_index = false;
    bool from_end = false; // [last-N]
    uint64_t index = 0;
  };
  struct diff {
    uint8_t op;
    std::string_view path;
    const uint8_t* value; // binary JSON, type byte first
    size_t value_size;
  };

  error read_diff(const uint8_t*& p, const uint8_t* end, diff& out);
  error parse_path(std::string_view path);
  uint32_t add_view(uint8_t type, const uint8_t* data, size_t size);
  uint32_t add_text(std::string_view text);
  uint32_t new_list();
  uint32_t add_container(bool object);
  bool add_value(const uint8_t* value, size_t size, uint32_t& node);
  bool materialize(uint32_t n);
  error apply_one(uint32_t root, const diff& d);
  size_t large_size(uint32_t n);
  bool serialize(uint32_t n, std::string& out, uint8_t& type);

  std::vector<node> nodes_;
  // Child lists of materialized containers, kept with their capacity.
  std::vector<std::vector<member>> kids_;
  size_t kids_used_ = 0;
  std::vector<leg> legs_;
  // Member names of quoted path legs, unescaped; a deque, so that keys
  // viewing them stay valid as more are added.
  std::deque<std::string> names_;
  size_t names_used_ = 0;
};

/// Turns the partial JSON values of an after-image into whole documents
/// (see above). The documents live here until the next call.
class partial_json_resolver {
public:
  error resolve(const table_map& map, const uint8_t* partial_bits,
                const std::vector<value_slot>& before,
                std::vector<value_slot>& after);

private:
  json_patcher patcher_;
  std::vector<std::string> documents_;
};

/// Checks every JSON value of a row image, so that a malformed document is
/// a decoding error (with the event's file and offset), not a bad record.
/// Partial values (diffs) are skipped: resolve() checks what it builds.
error check_json_columns(const table_map& map,
                         const std::vector<value_slot>& image,
                         const uint8_t* partial_bits);

} // namespace binlog
