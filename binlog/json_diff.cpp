#include "binlog/json_diff.hpp"

#include <algorithm>

#include "binlog/bytes.hpp"
#include "binlog/json_binary.hpp"

namespace binlog {

namespace {

constexpr uint64_t partial_json_updates = 1; // value_options bit

enum diff_op : uint8_t { op_replace = 0, op_insert = 1, op_remove = 2 };

const char* op_name(uint8_t op) {
  switch (op) {
    case op_replace:
      return "REPLACE";
    case op_insert:
      return "INSERT";
    default:
      return "REMOVE";
  }
}

// The payloads (variable length, then bytes) of the "op" strings.
std::string_view op_text(uint8_t op) {
  switch (op) {
    case op_replace:
      return "replace";
    case op_insert:
      return "insert";
    default:
      return "remove";
  }
}

// MySQL orders object keys by length, then bytes.
bool key_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return a.size() < b.size();
  return a.compare(b) < 0;
}

void append_variable_length(std::string& out, size_t n) {
  do {
    auto byte = static_cast<uint8_t>(n & 0x7f);
    n >>= 7;
    if (n != 0)
      byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (n != 0);
}

size_t variable_length_size(size_t n) {
  size_t bytes = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++bytes;
  }
  return bytes;
}

void put_le(std::string& out, size_t at, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    out[at + i] = static_cast<char>((x >> (8 * i)) & 0xff);
}

// Size of a scalar's value when it sits in a value entry.
size_t inline_size(uint8_t type) {
  switch (type) {
    case jsonb::literal:
      return 1;
    case jsonb::int16:
    case jsonb::uint16:
      return 2;
    default:
      return 4;
  }
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

bool read_hex4(std::string_view s, size_t at, uint32_t& out) {
  if (at + 4 > s.size())
    return false;
  out = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    uint32_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
    out = out * 16 + d;
  }
  return true;
}

// Unescapes the JSON string starting at the quote at `pos` into `out`;
// `pos` ends past the closing quote.
bool read_quoted(std::string_view s, size_t& pos, std::string& out) {
  out.clear();
  ++pos; // opening quote
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"')
      return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (pos >= s.size())
      return false;
    char e = s[pos++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out.push_back(e);
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        uint32_t cp;
        if (!read_hex4(s, pos, cp))
          return false;
        pos += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t low;
          if (pos + 6 > s.size() || s[pos] != '\\' || s[pos + 1] != 'u'
              || !read_hex4(s, pos + 2, low) || low < 0xdc00 || low > 0xdfff)
            return false;
          pos += 6;
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          return false;
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

bool read_partial_json_head(const table_map& map, const uint8_t*& p,
                            const uint8_t* end, const uint8_t*& partial_bits) {
  cursor c{p, end};
  uint64_t options = c.packed();
  partial_bits = nullptr;
  if (c.ok() && (options & partial_json_updates) != 0)
    partial_bits = c.bytes((map.json_columns + 7) / 8);
  if (!c.ok())
    return false;
  p = c.data();
  return true;
}

uint32_t json_patcher::add_view(uint8_t type, const uint8_t* data,
                                size_t size) {
  node n;
  n.type = type;
  n.data = data;
  n.size = size;
  nodes_.push_back(n);
  return static_cast<uint32_t>(nodes_.size() - 1);
}

uint32_t json_patcher::add_text(std::string_view text) {
  node n;
  n.kind = node::text;
  n.type = jsonb::string;
  n.data = reinterpret_cast<const uint8_t*>(text.data());
  n.size = text.size();
  nodes_.push_back(n);
  return static_cast<uint32_t>(nodes_.size() - 1);
}

uint32_t json_patcher::new_list() {
  if (kids_used_ == kids_.size())
    kids_.emplace_back();
  kids_[kids_used_].clear();
  return static_cast<uint32_t>(kids_used_++);
}

uint32_t json_patcher::add_container(bool object) {
  node n;
  n.kind = object ? node::object : node::array;
  n.kids = new_list();
  nodes_.push_back(n);
  return static_cast<uint32_t>(nodes_.size() - 1);
}

// A whole binary document (type byte first) as a node; empty is null.
bool json_patcher::add_value(const uint8_t* value, size_t size, uint32_t& out) {
  static constexpr uint8_t null_value = jsonb::literal_null;
  if (size == 0) {
    out = add_view(jsonb::literal, &null_value, 1);
    return true;
  }
  size_t extent;
  if (!jsonb::value_extent(value[0], value + 1, size - 1, extent))
    return false;
  out = add_view(value[0], value + 1, extent);
  return true;
}

// Lists the children of a view of an object or array, so that they can
// be looked up, replaced, inserted and removed.
bool json_patcher::materialize(uint32_t n) {
  if (nodes_[n].kind != node::view)
    return nodes_[n].kind == node::object || nodes_[n].kind == node::array;
  uint8_t type = nodes_[n].type;
  if (!jsonb::is_container(type))
    return false;
  const uint8_t* p = nodes_[n].data;
  size_t bytes = nodes_[n].size;
  bool large = jsonb::is_large(type);
  bool object = jsonb::is_object(type);
  size_t offset_size = large ? 4 : 2;
  size_t key_entry_size = offset_size + 2;
  size_t value_entry_size = offset_size + 1;
  uint64_t count = large ? load_le32(p) : load_le16(p);
  uint64_t header = 2 * offset_size + count * (object ? key_entry_size : 0)
                    + count * value_entry_size;
  if (header > bytes)
    return false;
  uint32_t kids = new_list();
  auto& list = kids_[kids]; // add_view below moves nodes_, not kids_
  list.reserve(static_cast<size_t>(count));
  const uint8_t* value_entries = p + 2 * offset_size
                                 + (object ? count * key_entry_size : 0);
  for (size_t i = 0; i < count; ++i) {
    member m;
    if (object) {
      const uint8_t* entry = p + 2 * offset_size + i * key_entry_size;
      uint64_t key_offset = large ? load_le32(entry) : load_le16(entry);
      size_t key_length = load_le16(entry + offset_size);
      if (key_offset < header || key_offset + key_length > bytes)
        return false;
      m.key = {reinterpret_cast<const char*>(p + key_offset), key_length};
    }
    const uint8_t* entry = value_entries + i * value_entry_size;
    uint8_t child = entry[0];
    if (jsonb::is_inlined(child, large)) {
      m.node = add_view(child, entry + 1, inline_size(child));
    } else {
      uint64_t value_offset = large ? load_le32(entry + 1)
                                    : load_le16(entry + 1);
      auto entry_end = static_cast<uint64_t>(entry - p) + value_entry_size;
      size_t extent;
      if (value_offset > bytes || value_offset < entry_end
          || !jsonb::value_extent(child, p + value_offset,
                                  static_cast<size_t>(bytes - value_offset),
                                  extent))
        return false;
      m.node = add_view(child, p + value_offset, extent);
    }
    list.push_back(m);
  }
  // The view becomes the listed container.
  nodes_[n].kind = object ? node::object : node::array;
  nodes_[n].kids = kids;
  return true;
}

error json_patcher::read_diff(const uint8_t*& p, const uint8_t* end,
                              diff& out) {
  cursor c{p, end};
  out.op = c.u8();
  if (c.ok() && out.op > op_remove) {
    return {errc::corrupt_event,
            "JSON diff with unknown operation " + std::to_string(out.op)};
  }
  out.path = c.packed_str();
  out.value = nullptr;
  out.value_size = 0;
  if (c.ok() && out.op != op_remove) {
    uint64_t n = c.packed();
    out.value = c.bytes(static_cast<size_t>(n));
    out.value_size = static_cast<size_t>(n);
  }
  if (!c.ok()) {
    return {errc::corrupt_event, "JSON diff runs past the end of its value"};
  }
  if (out.value != nullptr) {
    json_binary_error bad;
    if (!check_json_binary(out.value, out.value_size, &bad)) {
      return {errc::corrupt_event,
              "JSON diff value is malformed: " + std::string{bad.reason}
                + " at byte " + std::to_string(bad.offset)};
    }
  }
  p = c.data();
  return {};
}

// Parses the path text MySQL writes for a diff (Json_path::to_string):
// `$`, then `.name`, `."quoted name"`, `[N]`, `[last]` or `[last-N]`.
error json_patcher::parse_path(std::string_view s) {
  legs_.clear();
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < s.size() && is_space(s[pos]))
      ++pos;
  };
  auto bad = [&](const char* why) {
    return error{errc::corrupt_event,
                 "JSON diff path '" + std::string{s} + "': " + why};
  };
  auto read_number = [&](uint64_t& n) {
    size_t start = pos;
    n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      n = n * 10 + static_cast<uint64_t>(s[pos] - '0');
      if (n > 0xffffffffu)
        return false;
      ++pos;
    }
    return pos > start;
  };
  skip_space();
  if (pos >= s.size() || s[pos] != '$')
    return bad("does not start with $");
  ++pos;
  for (;;) {
    skip_space();
    if (pos >= s.size())
      break;
    leg l;
    if (s[pos] == '.') {
      ++pos;
      skip_space();
      if (pos < s.size() && s[pos] == '"') {
        if (names_used_ == names_.size())
          names_.emplace_back();
        auto& name = names_[names_used_++];
        if (!read_quoted(s, pos, name))
          return bad("bad quoted member name");
        l.key = name;
      } else {
        size_t start = pos;
        while (pos < s.size() && s[pos] != '.' && s[pos] != '['
               && !is_space(s[pos]))
          ++pos;
        l.key = s.substr(start, pos - start);
        if (l.key.empty() || l.key == "*")
          return bad("member name missing or a wildcard");
      }
    } else if (s[pos] == '[') {
      ++pos;
      skip_space();
      l.is_index = true;
      if (s.compare(pos, 4, "last") == 0) {
        pos += 4;
        l.from_end = true;
        skip_space();
        if (pos < s.size() && s[pos] == '-') {
          ++pos;
          skip_space();
          if (!read_number(l.index))
            return bad("bad array index");
        }
      } else if (!read_number(l.index)) {
        return bad("bad array index (wildcards and ranges do not apply)");
      }
      skip_space();
      if (pos >= s.size() || s[pos] != ']')
        return bad("array index without ]");
      ++pos;
    } else {
      return bad("unexpected character");
    }
    legs_.push_back(l);
  }
  if (legs_.empty())
    return bad("a diff cannot change the whole document");
  // Deeper paths could not name a value of a printable document; the
  // limit also bounds the recursion when the result is encoded.
  if (legs_.size() > jsonb::max_depth)
    return bad("deeper than 100 levels");
  return {};
}

error json_patcher::apply_one(uint32_t root, const diff& d) {
  if (auto err = parse_path(d.path))
    return err;
  auto reject = [&](const char* why) {
    return error{errc::corrupt_event, std::string{"JSON diff "} + op_name(d.op)
                                        + " " + std::string{d.path}
                                        + " does not apply: " + why};
  };
  // Walk to the parent of the last leg, listing containers on the way.
  uint32_t parent = root;
  for (size_t i = 0;; ++i) {
    if (!materialize(parent))
      return reject("the path runs into a scalar");
    auto& list = kids_[nodes_[parent].kids];
    bool object = nodes_[parent].kind == node::object;
    const leg& l = legs_[i];
    bool last = i + 1 == legs_.size();
    if (object != !l.is_index)
      return reject(object ? "an array index on an object"
                           : "a member name on an array");
    size_t pos;
    bool found;
    if (object) {
      auto it = std::lower_bound(list.begin(), list.end(), l.key,
                                 [](const member& m, std::string_view k) {
                                   return key_less(m.key, k);
                                 });
      pos = static_cast<size_t>(it - list.begin());
      found = it != list.end() && it->key == l.key;
    } else {
      size_t size = list.size();
      found = l.index < size;
      if (l.from_end)
        pos = found ? size - 1 - static_cast<size_t>(l.index) : 0;
      else
        pos = found ? static_cast<size_t>(l.index) : size;
    }
    if (!last) {
      if (!found)
        return reject("no value at the path");
      parent = list[pos].node;
      continue;
    }
    switch (d.op) {
      case op_replace: {
        if (!found)
          return reject("no value at the path");
        uint32_t value;
        if (!add_value(d.value, d.value_size, value))
          return reject("malformed value");
        kids_[nodes_[parent].kids][pos].node = value;
        return {};
      }
      case op_insert: {
        if (object && found)
          return reject("the member exists");
        uint32_t value;
        if (!add_value(d.value, d.value_size, value))
          return reject("malformed value");
        auto& into = kids_[nodes_[parent].kids];
        into.insert(into.begin() + static_cast<std::ptrdiff_t>(pos),
                    member{l.key, value});
        return {};
      }
      default: {
        if (!found)
          return reject("no value at the path");
        auto& from = kids_[nodes_[parent].kids];
        from.erase(from.begin() + static_cast<std::ptrdiff_t>(pos));
        return {};
      }
    }
  }
}

// The size of a node's value in the large form (exact for views and text):
// a container takes the small form when this fits 16-bit offsets.
size_t json_patcher::large_size(uint32_t n) {
  auto& nd = nodes_[n];
  if (nd.kind == node::view)
    return nd.size;
  if (nd.kind == node::text)
    return variable_length_size(nd.size) + nd.size;
  if (nd.large_size != 0)
    return nd.large_size;
  bool object = nd.kind == node::object;
  size_t kids = nd.kids;
  size_t count = kids_[kids].size();
  size_t total = 8 + count * (object ? 6 : 0) + count * 5;
  for (size_t i = 0; i < count; ++i) {
    const auto& m = kids_[kids][i];
    total += m.key.size();
    const auto& child = nodes_[m.node];
    if (!(child.kind == node::view && jsonb::is_inlined(child.type, true)))
      total += large_size(m.node);
  }
  nodes_[n].large_size = total;
  return total;
}

bool json_patcher::serialize(uint32_t n, std::string& out, uint8_t& type) {
  const node nd = nodes_[n];
  if (nd.kind == node::view) {
    type = nd.type;
    out.append(reinterpret_cast<const char*>(nd.data), nd.size);
    return true;
  }
  if (nd.kind == node::text) {
    type = jsonb::string;
    append_variable_length(out, nd.size);
    out.append(reinterpret_cast<const char*>(nd.data), nd.size);
    return true;
  }
  bool object = nd.kind == node::object;
  bool large = large_size(n) > 0xffff;
  if (large_size(n) > 0xffffffffu)
    return false;
  type = object ? (large ? jsonb::large_object : jsonb::small_object)
                : (large ? jsonb::large_array : jsonb::small_array);
  size_t offset_size = large ? 4 : 2;
  size_t key_entry_size = offset_size + 2;
  size_t value_entry_size = offset_size + 1;
  size_t count = kids_[nd.kids].size();
  size_t start = out.size();
  size_t header = 2 * offset_size + count * (object ? key_entry_size : 0)
                  + count * value_entry_size;
  out.resize(start + header);
  put_le(out, start, count, offset_size);
  size_t value_entries = start + 2 * offset_size
                         + (object ? count * key_entry_size : 0);
  if (object) {
    for (size_t i = 0; i < count; ++i) {
      auto key = kids_[nd.kids][i].key;
      if (key.size() > 0xffff)
        return false;
      size_t entry = start + 2 * offset_size + i * key_entry_size;
      put_le(out, entry, out.size() - start, offset_size);
      put_le(out, entry + offset_size, key.size(), 2);
      out.append(key.data(), key.size());
    }
  }
  for (size_t i = 0; i < count; ++i) {
    uint32_t kid = kids_[nd.kids][i].node;
    size_t entry = value_entries + i * value_entry_size;
    const node child = nodes_[kid];
    if (child.kind == node::view && jsonb::is_inlined(child.type, large)) {
      // Re-encode the scalar at the entry's width; int16 sign-extends.
      uint64_t x;
      switch (child.type) {
        case jsonb::literal:
          x = child.data[0];
          break;
        case jsonb::int16:
          x = static_cast<uint64_t>(
            static_cast<int64_t>(static_cast<int16_t>(load_le16(child.data))));
          break;
        case jsonb::uint16:
          x = load_le16(child.data);
          break;
        default:
          x = load_le32(child.data);
      }
      out[entry] = static_cast<char>(child.type);
      put_le(out, entry + 1, x, offset_size);
      continue;
    }
    size_t offset = out.size() - start;
    uint8_t child_type;
    if (!serialize(kid, out, child_type))
      return false;
    out[entry] = static_cast<char>(child_type);
    put_le(out, entry + 1, offset, offset_size);
  }
  put_le(out, start + offset_size, out.size() - start, offset_size);
  return true;
}

error json_patcher::apply(const uint8_t* doc, size_t doc_size,
                          const uint8_t* diffs, size_t diffs_size,
                          std::string& out) {
  nodes_.clear();
  kids_used_ = 0;
  names_used_ = 0;
  uint32_t root;
  if (!add_value(doc, doc_size, root))
    return {errc::corrupt_event,
            "the before-image's JSON document is malformed"};
  const uint8_t* p = diffs;
  const uint8_t* end = diffs + diffs_size;
  while (p < end) {
    diff d;
    if (auto err = read_diff(p, end, d))
      return err;
    if (auto err = apply_one(root, d))
      return err;
  }
  size_t start = out.size();
  out.push_back('\0');
  uint8_t type;
  if (!serialize(root, out, type))
    return {errc::corrupt_event, "the patched JSON document is too large"};
  out[start] = static_cast<char>(type);
  json_binary_error bad;
  if (!check_json_binary(reinterpret_cast<const uint8_t*>(out.data()) + start,
                         out.size() - start, &bad))
    return {errc::corrupt_event, "the patched JSON document cannot be printed: "
                                   + std::string{bad.reason}};
  return {};
}

error json_patcher::describe(const uint8_t* diffs, size_t diffs_size,
                             std::string& out) {
  nodes_.clear();
  kids_used_ = 0;
  names_used_ = 0;
  uint32_t root = add_container(true);
  uint32_t list = add_container(false);
  kids_[nodes_[root].kids].push_back(member{"$partial_json", list});
  const uint8_t* p = diffs;
  const uint8_t* end = diffs + diffs_size;
  while (p < end) {
    diff d;
    if (auto err = read_diff(p, end, d))
      return err;
    uint32_t entry = add_container(true);
    kids_[nodes_[list].kids].push_back(member{{}, entry});
    uint32_t op = add_text(op_text(d.op));
    uint32_t path = add_text(d.path);
    kids_[nodes_[entry].kids].push_back(member{"op", op});
    kids_[nodes_[entry].kids].push_back(member{"path", path});
    if (d.op != op_remove) {
      uint32_t value;
      if (!add_value(d.value, d.value_size, value))
        return {errc::corrupt_event, "JSON diff value is malformed"};
      kids_[nodes_[entry].kids].push_back(member{"value", value});
    }
  }
  size_t start = out.size();
  out.push_back('\0');
  uint8_t type;
  if (!serialize(root, out, type))
    return {errc::corrupt_event, "the JSON diff is too large"};
  out[start] = static_cast<char>(type);
  json_binary_error bad;
  if (!check_json_binary(reinterpret_cast<const uint8_t*>(out.data()) + start,
                         out.size() - start, &bad))
    return {errc::corrupt_event,
            "the JSON diff cannot be printed: " + std::string{bad.reason}};
  return {};
}

error partial_json_resolver::resolve(const table_map& map,
                                     const uint8_t* partial_bits,
                                     const std::vector<value_slot>& before,
                                     std::vector<value_slot>& after) {
  if (partial_bits == nullptr)
    return {};
  documents_.resize(map.columns.size());
  size_t json_index = 0;
  for (size_t i = 0; i < map.columns.size(); ++i) {
    const auto& col = map.columns[i];
    if (col.type != field_type::json)
      continue;
    bool partial = (partial_bits[json_index / 8] >> (json_index % 8)) & 1;
    ++json_index;
    if (!partial || after[i].state != value_slot::present)
      continue;
    size_t prefix = col.meta;
    const uint8_t* diffs = after[i].data + prefix;
    size_t diffs_size = after[i].size - prefix;
    auto& doc = documents_[i];
    doc.assign(prefix, '\0'); // the length prefix write_value skips
    auto err = i < before.size() && before[i].state == value_slot::present
                 ? patcher_.apply(before[i].data + prefix,
                                  before[i].size - prefix, diffs, diffs_size,
                                  doc)
                 : patcher_.describe(diffs, diffs_size, doc);
    if (err)
      return {err.code, "column " + col.name + ": " + err.message};
    size_t length = doc.size() - prefix;
    for (size_t b = 0; b < prefix; ++b)
      doc[b] = static_cast<char>((length >> (8 * b)) & 0xff);
    after[i].data = reinterpret_cast<const uint8_t*>(doc.data());
    after[i].size = static_cast<uint32_t>(doc.size());
  }
  return {};
}

error check_json_columns(const table_map& map,
                         const std::vector<value_slot>& image,
                         const uint8_t* partial_bits) {
  size_t json_index = 0;
  for (size_t i = 0; i < map.columns.size() && i < image.size(); ++i) {
    const auto& col = map.columns[i];
    if (col.type != field_type::json)
      continue;
    bool partial = partial_bits != nullptr
                   && ((partial_bits[json_index / 8] >> (json_index % 8)) & 1);
    ++json_index;
    if (partial || image[i].state != value_slot::present)
      continue;
    json_binary_error bad;
    if (!check_json_binary(image[i].data + col.meta, image[i].size - col.meta,
                           &bad))
      return {errc::corrupt_event,
              "JSON value of column " + col.name + " is malformed: "
                + bad.reason + " at byte " + std::to_string(bad.offset)};
  }
  return {};
}

} // namespace binlog
