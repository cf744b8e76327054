#include "binlog/avro.hpp"

#include <cstring>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

namespace binlog::avro {

namespace {

using ojson = nlohmann::ordered_json;

/// A Connect schema the converter cannot map; caught in from_connect.
struct bad_schema {
  std::string what;
};

bool name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}

/// The full name with each dot-separated part adjusted.
std::string adjust_full_name(std::string_view full) {
  std::string out;
  size_t start = 0;
  while (true) {
    auto dot = full.find('.', start);
    out += adjust_name(full.substr(start, dot - start));
    if (dot == std::string_view::npos)
      return out;
    out += '.';
    start = dot + 1;
  }
}

/// Connect's logical types that Avro has too (AvroData maps them).
const char* logical_type(const std::string& connect_name) {
  if (connect_name == "org.apache.kafka.connect.data.Decimal")
    return "decimal";
  if (connect_name == "org.apache.kafka.connect.data.Date")
    return "date";
  if (connect_name == "org.apache.kafka.connect.data.Time")
    return "time-millis";
  if (connect_name == "org.apache.kafka.connect.data.Timestamp")
    return "timestamp-millis";
  return nullptr;
}

class converter {
public:
  /// The node of Connect schema `c`; its Avro type goes to `out`.
  std::shared_ptr<const node> convert(const ojson& c, ojson& out) {
    if (!c.is_object() || !c.contains("type") || !c["type"].is_string())
      throw bad_schema{"a schema without a type: " + c.dump()};
    auto type = c["type"].get<std::string>();
    auto name = c.value("name", std::string{});
    std::shared_ptr<const node> result;
    ojson base;
    if (type == "struct") {
      result = record(c, name, base);
    } else if (type == "array") {
      auto n = std::make_shared<node>();
      n->kind = node::array;
      ojson items;
      if (!c.contains("items"))
        throw bad_schema{"an array schema without items"};
      n->items = convert(c["items"], items);
      base = ojson::object();
      base["type"] = "array";
      base["items"] = std::move(items);
      connect_props(c, name, base);
      result = n;
    } else {
      result = primitive(c, type, name, base);
    }
    bool optional = c.value("optional", false);
    if (!optional) {
      out = std::move(base);
      return result;
    }
    // AvroData: an optional schema is a union with null, null first unless
    // the schema has a default (a union's default is of its first type).
    bool has_default = c.contains("default") && !c["default"].is_null();
    auto n = std::make_shared<node>(*result);
    n->optional = true;
    n->null_first = !has_default;
    out = ojson::array();
    if (has_default) {
      out.push_back(std::move(base));
      out.push_back("null");
    } else {
      out.push_back("null");
      out.push_back(std::move(base));
    }
    return n;
  }

private:
  /// connect.version, connect.parameters, connect.default and
  /// connect.name, as AvroData adds them.
  static void connect_props(const ojson& c, const std::string& name,
                            ojson& base) {
    if (c.contains("doc") && c["doc"].is_string())
      base["connect.doc"] = c["doc"];
    if (c.contains("version") && c["version"].is_number_integer())
      base["connect.version"] = c["version"];
    if (c.contains("parameters") && c["parameters"].is_object())
      base["connect.parameters"] = c["parameters"];
    if (c.contains("default") && !c["default"].is_null())
      base["connect.default"] = c["default"];
    if (!name.empty())
      base["connect.name"] = adjust_full_name(name);
  }

  std::shared_ptr<const node> primitive(const ojson& c, const std::string& type,
                                        const std::string& name, ojson& base) {
    auto n = std::make_shared<node>();
    const char* avro_type = nullptr;
    bool small = false;
    if (type == "int8" || type == "int16") {
      n->kind = node::int_, avro_type = "int", small = true;
    } else if (type == "int32") {
      n->kind = node::int_, avro_type = "int";
    } else if (type == "int64") {
      n->kind = node::long_, avro_type = "long";
    } else if (type == "float") {
      n->kind = node::float_, avro_type = "float";
    } else if (type == "double") {
      n->kind = node::double_, avro_type = "double";
    } else if (type == "boolean") {
      n->kind = node::boolean, avro_type = "boolean";
    } else if (type == "string") {
      n->kind = node::string, avro_type = "string";
    } else if (type == "bytes") {
      n->kind = node::bytes, avro_type = "bytes";
    } else {
      throw bad_schema{"Connect type '" + type + "' has no Avro form here"};
    }
    base = ojson::object();
    base["type"] = avro_type;
    if (small)
      base["connect.type"] = type;
    auto logical = logical_type(name);
    if (logical != nullptr && std::strcmp(logical, "decimal") == 0) {
      // Connect's Decimal keeps scale and precision in its parameters;
      // AvroData's precision without one is 64.
      auto param = [&](const char* key, int fallback) {
        if (c.contains("parameters") && c["parameters"].contains(key))
          return std::stoi(c["parameters"][key].get<std::string>());
        return fallback;
      };
      base["scale"] = param("scale", 0);
      base["precision"] = param("connect.decimal.precision", 64);
    }
    connect_props(c, name, base);
    if (logical != nullptr)
      base["logicalType"] = logical;
    if (base.size() == 1)
      base = avro_type; // a primitive without properties: its name alone
    return n;
  }

  std::shared_ptr<const node> record(const ojson& c, std::string name,
                                     ojson& base) {
    if (name.empty())
      name = "io.confluent.connect.avro.ConnectDefault"
             + (++unnamed_ > 1 ? std::to_string(unnamed_) : std::string{});
    auto full = adjust_full_name(name);
    if (auto it = records_.find(full); it != records_.end()) {
      base = full; // defined before: named by reference
      return it->second;
    }
    auto n = std::make_shared<node>();
    n->kind = node::record;
    records_.emplace(full, n);
    auto dot = full.rfind('.');
    base = ojson::object();
    base["type"] = "record";
    base["name"] = dot == std::string::npos ? full : full.substr(dot + 1);
    if (dot != std::string::npos)
      base["namespace"] = full.substr(0, dot);
    ojson fields = ojson::array();
    if (!c.contains("fields") || !c["fields"].is_array())
      throw bad_schema{"a struct schema without fields: " + name};
    for (auto& f : c["fields"]) {
      if (!f.contains("field") || !f["field"].is_string())
        throw bad_schema{"a field without a name in " + name};
      auto field_name = f["field"].get<std::string>();
      ojson type;
      auto child = convert(f, type);
      ojson field = ojson::object();
      field["name"] = adjust_name(field_name);
      field["type"] = std::move(type);
      if (f.contains("default") && !f["default"].is_null())
        field["default"] = f["default"];
      else if (f.value("optional", false))
        field["default"] = nullptr;
      fields.push_back(std::move(field));
      n->fields.emplace_back(field_name, std::move(child));
    }
    base["fields"] = std::move(fields);
    connect_props(c, name, base);
    return n;
  }

  std::map<std::string, std::shared_ptr<const node>> records_;
  int unnamed_ = 0;
};

using json = nlohmann::json;

void write_fixed(std::string& out, const void* p, size_t n) {
  // Avro's float and double are little-endian IEEE 754.
  uint8_t b[8];
  std::memcpy(b, p, n);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (size_t i = 0; i < n / 2; ++i)
    std::swap(b[i], b[n - 1 - i]);
#endif
  out.append(reinterpret_cast<const char*>(b), n);
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

/// Decodes base64 (either alphabet, padding optional); false if malformed.
bool base64_decode(std::string_view text, std::string& out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=')
      break;
    int d = base64_digit(c);
    if (d < 0)
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return true;
}

struct encoder {
  std::string& out;
  std::string scratch;
  std::string path;

  [[noreturn]] void mismatch(const char* expected, const json& v) {
    throw bad_schema{path + ": " + expected + " expected, not "
                     + v.dump().substr(0, 60)};
  }

  void write(const node& n, const json& v) {
    if (n.optional) {
      if (v.is_null()) {
        write_long(out, n.null_first ? 0 : 1);
        return;
      }
      write_long(out, n.null_first ? 1 : 0);
    } else if (v.is_null()) {
      mismatch("a value", v);
    }
    switch (n.kind) {
      case node::boolean:
        if (!v.is_boolean())
          mismatch("a boolean", v);
        out += v.get<bool>() ? '\1' : '\0';
        break;
      case node::int_:
      case node::long_: {
        if (!v.is_number_integer())
          mismatch("an integer", v);
        if (v.is_number_unsigned()
            && v.get<uint64_t>()
                 > uint64_t(std::numeric_limits<int64_t>::max()))
          mismatch("a long", v);
        auto x = v.get<int64_t>();
        if (n.kind == node::int_
            && (x < std::numeric_limits<int32_t>::min()
                || x > std::numeric_limits<int32_t>::max()))
          mismatch("an int", v);
        write_long(out, x);
        break;
      }
      case node::float_: {
        if (!v.is_number())
          mismatch("a number", v);
        auto x = v.get<float>();
        write_fixed(out, &x, 4);
        break;
      }
      case node::double_: {
        if (!v.is_number())
          mismatch("a number", v);
        auto x = v.get<double>();
        write_fixed(out, &x, 8);
        break;
      }
      case node::bytes: {
        if (!v.is_string())
          mismatch("base64 text", v);
        scratch.clear();
        if (!base64_decode(v.get_ref<const std::string&>(), scratch))
          mismatch("base64 text", v);
        write_long(out, static_cast<int64_t>(scratch.size()));
        out += scratch;
        break;
      }
      case node::string: {
        if (!v.is_string())
          mismatch("a string", v);
        auto& s = v.get_ref<const std::string&>();
        write_long(out, static_cast<int64_t>(s.size()));
        out += s;
        break;
      }
      case node::record: {
        if (!v.is_object())
          mismatch("an object", v);
        static const json null_value;
        auto depth = path.size();
        for (auto& [name, child] : n.fields) {
          auto it = v.find(name);
          path += '.';
          path += name;
          write(*child, it == v.end() ? null_value : *it);
          path.resize(depth);
        }
        break;
      }
      case node::array:
        if (!v.is_array())
          mismatch("an array", v);
        if (!v.empty()) {
          write_long(out, static_cast<int64_t>(v.size()));
          for (auto& item : v)
            write(*n.items, item);
        }
        write_long(out, 0);
        break;
    }
  }
};

} // namespace

registry::~registry() = default;

std::string adjust_name(std::string_view name) {
  std::string out{name};
  for (size_t i = 0; i < out.size(); ++i)
    if (i == 0 ? !name_start(out[i]) : !name_char(out[i]))
      out[i] = '_';
  return out;
}

expected<schema> from_connect(std::string_view connect_schema) {
  auto c = ojson::parse(connect_schema, nullptr, false);
  if (c.is_discarded())
    return error{errc::bad_value, "a Connect schema that is not JSON"};
  try {
    converter conv;
    ojson avro_schema;
    schema out;
    out.root = conv.convert(c, avro_schema);
    out.text = avro_schema.dump();
    return out;
  } catch (const bad_schema& e) {
    return error{errc::bad_value, "Connect schema: " + e.what};
  } catch (const std::exception& e) {
    return error{errc::bad_value, std::string{"Connect schema: "} + e.what()};
  }
}

error encode(const node& root, std::string_view payload, std::string& out) {
  auto v = json::parse(payload, nullptr, false);
  if (v.is_discarded())
    return {errc::bad_value, "a record payload that is not JSON"};
  encoder e{out, {}, "$"};
  try {
    e.write(root, v);
  } catch (const bad_schema& x) {
    return {errc::bad_value, "Avro encoding: " + x.what};
  }
  return {};
}

void write_long(std::string& out, int64_t value) {
  auto z = (static_cast<uint64_t>(value) << 1)
           ^ static_cast<uint64_t>(value >> 63);
  while (z >= 0x80) {
    out += static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  out += static_cast<char>(z);
}

void write_header(std::string& out, int32_t schema_id) {
  auto id = static_cast<uint32_t>(schema_id);
  out += '\0';
  out += static_cast<char>(id >> 24);
  out += static_cast<char>((id >> 16) & 0xff);
  out += static_cast<char>((id >> 8) & 0xff);
  out += static_cast<char>(id & 0xff);
}

expected<const subjects::entry*>
subjects::resolve(const std::string& subject, std::string_view connect_schema) {
  auto& versions = by_subject_[subject];
  for (auto it = versions.rbegin(); it != versions.rend(); ++it)
    if ((*it)->connect_schema == connect_schema)
      return it->get();
  auto converted = from_connect(connect_schema);
  if (!converted)
    return error{converted.error().code,
                 "subject '" + subject + "': " + converted.error().message};
  auto id = registry_->register_schema(subject, converted->text);
  if (!id)
    return id.error();
  auto e = std::make_unique<entry>();
  e->connect_schema.assign(connect_schema);
  e->root = std::move(converted->root);
  e->id = *id;
  versions.push_back(std::move(e));
  return versions.back().get();
}

} // namespace binlog::avro
