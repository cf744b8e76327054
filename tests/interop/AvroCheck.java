// binlog2kafka's avro records read with Apache Avro's Java library
// (tests/interop/test_avro.sh): each key and value is Confluent's wire
// format (magic byte 0, schema id), its schema is fetched from the registry
// by id (GET <registry>/schemas/ids/<id>) and parsed by Avro's
// Schema.Parser, and GenericDatumReader decodes the body, which must end
// exactly there. Then:
//   1. every record equals the record binlog2kafka wrote for the same row
//      in JSON (value-mode debezium, schemas off, the form the interop test
//      proves equal to Debezium's), per key and in order; only
//      source.name (the run's name) may differ;
//   2. the schemas have Debezium's Avro shape (names, namespaces,
//      connect.name of io.debezium.time.*, decimals as logicalType decimal);
//   3. table interop.types, materialized from the Avro records by key,
//      equals SELECT for its integer, decimal, string and date columns
//      (decimals through Avro's own DecimalConversion).
// Prints "avro: RESULT OK" or the differences and "avro: RESULT FAIL".
//
// Usage: AvroCheck BROKERS REGISTRY_URL JSON_PREFIX AVRO_PREFIX JDBC_URL
//                  USER PASSWORD_FILE SUFFIX...   (SUFFIX "-": the prefix
//                  alone, the schema-change topic)

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class AvroCheck {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Map<Integer, Schema> SCHEMAS = new HashMap<>();
  static final List<String> problems = new ArrayList<>();
  static String brokers;
  static String registry;

  static void problem(String what) {
    if (problems.size() < 40)
      System.out.println("avro: " + what);
    problems.add(what);
  }

  static Schema schemaById(int id) throws Exception {
    Schema s = SCHEMAS.get(id);
    if (s != null)
      return s;
    HttpResponse<String> res = HTTP.send(
        HttpRequest.newBuilder(URI.create(registry + "/schemas/ids/" + id)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200)
      throw new IllegalStateException("registry: schema id " + id + ": HTTP "
                                      + res.statusCode() + " " + res.body());
    s = new Schema.Parser().parse(MAPPER.readTree(res.body()).get("schema").asText());
    SCHEMAS.put(id, s);
    return s;
  }

  /** Reads a wire-format record with Avro; its schema in schemaOut[0]. */
  static GenericRecord decode(byte[] bytes, Schema[] schemaOut, String where)
      throws Exception {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length < 5 || buf.get() != 0)
      throw new IllegalStateException(where + ": no magic byte 0");
    int id = buf.getInt();
    Schema schema = schemaById(id);
    schemaOut[0] = schema;
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(
        new ByteArrayInputStream(bytes, 5, bytes.length - 5), null);
    GenericRecord r = new GenericDatumReader<GenericRecord>(schema).read(null, in);
    if (!in.isEnd())
      throw new IllegalStateException(where + ": bytes left after the record");
    return r;
  }

  /** An Avro value as JsonConverter writes its payload (bytes as base64). */
  static JsonNode toJson(Object v, Schema s) {
    switch (s.getType()) {
      case UNION:
        return toJson(v, s.getTypes().get(GenericData.get().resolveUnion(s, v)));
      case NULL:
        return NODES.nullNode();
      case RECORD: {
        ObjectNode o = NODES.objectNode();
        GenericRecord r = (GenericRecord) v;
        for (Schema.Field f : s.getFields())
          o.set(f.name(), toJson(r.get(f.pos()), f.schema()));
        return o;
      }
      case ARRAY: {
        ArrayNode a = NODES.arrayNode();
        for (Object item : (List<?>) v)
          a.add(toJson(item, s.getElementType()));
        return a;
      }
      case STRING:
        return NODES.textNode(v.toString());
      case BYTES: {
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        return NODES.textNode(Base64.getEncoder().encodeToString(raw));
      }
      case INT:
        return NODES.numberNode((Integer) v);
      case LONG:
        return NODES.numberNode((Long) v);
      case FLOAT:
        return NODES.numberNode((Float) v);
      case DOUBLE:
        return NODES.numberNode((Double) v);
      case BOOLEAN:
        return NODES.booleanNode((Boolean) v);
      default:
        throw new IllegalStateException("unexpected Avro type " + s.getType());
    }
  }

  /** JSON equality where a float read from JSON text equals its Avro float
   * and objects may list their fields in another order. */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      if (a.isIntegralNumber() && b.isIntegralNumber())
        return a.bigIntegerValue().equals(b.bigIntegerValue());
      if (a.isFloat() || b.isFloat())
        return (float) a.doubleValue() == (float) b.doubleValue();
      return a.doubleValue() == b.doubleValue();
    }
    if (a.isObject() && b.isObject()) {
      // The same names, in any order: the JSON envelope has op and ts_ms
      // before source, the schema (Debezium's) after transaction.
      java.util.Set<String> an = new java.util.TreeSet<>(), bn = new java.util.TreeSet<>();
      a.fieldNames().forEachRemaining(an::add);
      b.fieldNames().forEachRemaining(bn::add);
      if (!an.equals(bn))
        return false;
      for (String n : an)
        if (!same(a.get(n), b.get(n)))
          return false;
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size())
        return false;
      for (int i = 0; i < a.size(); ++i)
        if (!same(a.get(i), b.get(i)))
          return false;
      return true;
    }
    return a.equals(b);
  }

  static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", brokers);
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null)
        return out;
      for (PartitionInfo i : infos)
        parts.add(new TopicPartition(topic, i.partition()));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 60000;
      while (true) {
        boolean done = true;
        for (TopicPartition tp : parts)
          if (c.position(tp) < end.get(tp))
            done = false;
        if (done || System.currentTimeMillis() > deadline)
          break;
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500)))
          out.add(r);
      }
    }
    return out;
  }

  /** Twins that are snapshots (-Davrocheck.snapshot=true) read the rows at
   * other times, with the stream maybe elsewhere: those fields are left out. */
  static final boolean SNAPSHOT = Boolean.getBoolean("avrocheck.snapshot");

  static void dropSourceName(JsonNode value) {
    if (value != null && value.has("source") && value.get("source").isObject()) {
      ((ObjectNode) value.get("source")).remove("name");
      if (SNAPSHOT)
        ((ObjectNode) value.get("source")).remove(List.of("ts_ms", "file", "pos", "gtid"));
    }
    if (SNAPSHOT && value != null && value.isObject())
      ((ObjectNode) value).remove("ts_ms");
  }

  /** Records of a topic by key (its JSON text), in order. */
  static Map<String, List<JsonNode>> byKey(List<ConsumerRecord<byte[], byte[]>> records,
                                          boolean avro, String topic,
                                          Map<String, Schema> schemas) throws Exception {
    Map<String, List<JsonNode>> out = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String where = topic + " offset " + r.offset();
      String key;
      JsonNode value;
      Schema[] s = new Schema[1];
      if (avro) {
        key = r.key() == null ? "null" : toJson(decode(r.key(), s, where + " key"), s[0]).toString();
        if (r.key() != null)
          schemas.put("key", s[0]);
        if (r.value() == null) {
          value = NODES.nullNode();
        } else {
          value = toJson(decode(r.value(), s, where + " value"), s[0]);
          schemas.put("value", s[0]);
        }
      } else {
        key = r.key() == null ? "null" : MAPPER.readTree(r.key()).toString();
        value = r.value() == null ? NODES.nullNode() : MAPPER.readTree(r.value());
      }
      dropSourceName(value);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION)
      return s;
    for (Schema t : s.getTypes())
      if (t.getType() != Schema.Type.NULL)
        return t;
    return s;
  }

  static void expectSchema(Schema value, String column, Schema.Type type,
                           String connectName) {
    Schema row = nonNull(value.getField("after").schema());
    Schema.Field f = row.getField(column);
    if (f == null) {
      problem("schema: no field " + column);
      return;
    }
    Schema s = nonNull(f.schema());
    if (s.getType() != type || (connectName != null && !connectName.equals(s.getProp("connect.name"))))
      problem("schema of " + column + ": " + s + ", expected " + type + " " + connectName);
  }

  static void checkSchemas(String prefix, Map<String, Schema> schemas) {
    Schema value = schemas.get("value"), key = schemas.get("key");
    String ns = prefix + ".interop.types";
    if (value == null || key == null) {
      problem("schemas of interop.types not seen");
      return;
    }
    if (!value.getFullName().equals(ns + ".Envelope")
        || !(ns + ".Envelope").equals(value.getProp("connect.name")))
      problem("value schema is " + value.getFullName() + ", expected " + ns + ".Envelope");
    if (!key.getFullName().equals(ns + ".Key") || key.getField("id") == null)
      problem("key schema is " + key);
    Schema row = nonNull(value.getField("before").schema());
    if (!row.getFullName().equals(ns + ".Value"))
      problem("row schema is " + row.getFullName());
    if (!value.getField("source").schema().getFullName().equals("io.debezium.connector.mysql.Source"))
      problem("source schema is " + value.getField("source").schema().getFullName());
    Schema d52 = nonNull(row.getField("d52").schema());
    if (!(d52.getLogicalType() instanceof LogicalTypes.Decimal)
        || ((LogicalTypes.Decimal) d52.getLogicalType()).getPrecision() != 5
        || ((LogicalTypes.Decimal) d52.getLogicalType()).getScale() != 2)
      problem("d52 is not decimal(5,2): " + d52);
    expectSchema(value, "ti", Schema.Type.INT, null);
    if (!"int16".equals(nonNull(row.getField("ti").schema()).getProp("connect.type")))
      problem("ti has no connect.type int16");
    expectSchema(value, "bi", Schema.Type.LONG, null);
    expectSchema(value, "dt", Schema.Type.INT, "io.debezium.time.Date");
    expectSchema(value, "dtm", Schema.Type.LONG, "io.debezium.time.Timestamp");
    expectSchema(value, "dtm6", Schema.Type.LONG, "io.debezium.time.MicroTimestamp");
    expectSchema(value, "ts", Schema.Type.STRING, "io.debezium.time.ZonedTimestamp");
    expectSchema(value, "tm", Schema.Type.LONG, "io.debezium.time.MicroTime");
    expectSchema(value, "y", Schema.Type.INT, "io.debezium.time.Year");
    expectSchema(value, "b1", Schema.Type.BOOLEAN, null);
    expectSchema(value, "b5", Schema.Type.BYTES, "io.debezium.data.Bits");
    expectSchema(value, "e", Schema.Type.STRING, "io.debezium.data.Enum");
    expectSchema(value, "s", Schema.Type.STRING, "io.debezium.data.EnumSet");
    // (MariaDB's JSON is LONGTEXT: a plain string, as in the JSON schemas)
    expectSchema(value, "j", Schema.Type.STRING, null);
    expectSchema(value, "vb", Schema.Type.BYTES, null);
    expectSchema(value, "f", Schema.Type.FLOAT, null);
    expectSchema(value, "dbl", Schema.Type.DOUBLE, null);
    expectSchema(value, "pt", Schema.Type.RECORD, "io.debezium.data.geometry.Point");
  }

  /** interop.types from the Avro records, by id, against SELECT. */
  static void checkSelect(List<ConsumerRecord<byte[], byte[]>> records, String jdbc,
                          String user, String password) throws Exception {
    Map<Integer, GenericRecord> rows = new TreeMap<>();
    Schema[] s = new Schema[1];
    for (ConsumerRecord<byte[], byte[]> r : records) {
      int id = (Integer) decode(r.key(), s, "key").get("id");
      if (r.value() == null) {
        rows.remove(id);
        continue;
      }
      GenericRecord v = decode(r.value(), s, "value");
      String op = v.get("op").toString();
      if (op.equals("d"))
        rows.remove(id);
      else
        rows.put(id, (GenericRecord) v.get("after"));
    }
    Conversions.DecimalConversion decimals = new Conversions.DecimalConversion();
    String[] columns = {"i", "bi", "d52", "d200", "d6530", "d44", "vc", "dt"};
    Map<Integer, Map<String, Object>> selected = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(jdbc, user, password);
         ResultSet rs = c.createStatement().executeQuery(
             "SELECT id, i, bi, d52, d200, d6530, d44, vc, "
             + "DATEDIFF(dt, '1970-01-01') AS dt FROM interop.types")) {
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("i", rs.getObject("i") == null ? null : rs.getInt("i"));
        row.put("bi", rs.getObject("bi") == null ? null : rs.getLong("bi"));
        for (String d : new String[] {"d52", "d200", "d6530", "d44"})
          row.put(d, rs.getBigDecimal(d));
        row.put("vc", rs.getString("vc"));
        row.put("dt", rs.getObject("dt") == null ? null : rs.getInt("dt"));
        selected.put(rs.getInt("id"), row);
      }
    }
    if (!selected.keySet().equals(rows.keySet()))
      problem("interop.types ids: Avro " + rows.keySet() + ", SELECT " + selected.keySet());
    int values = 0;
    for (Map.Entry<Integer, Map<String, Object>> e : selected.entrySet()) {
      GenericRecord got = rows.get(e.getKey());
      if (got == null)
        continue;
      for (String col : columns) {
        Object want = e.getValue().get(col);
        Object v = got.get(col);
        Schema fs = nonNull(got.getSchema().getField(col).schema());
        if (v != null && fs.getLogicalType() instanceof LogicalTypes.Decimal)
          v = decimals.fromBytes((ByteBuffer) v, fs, fs.getLogicalType());
        if (v instanceof CharSequence)
          v = v.toString();
        boolean equal = want == null ? v == null
            : want instanceof BigDecimal ? v instanceof BigDecimal
                && ((BigDecimal) want).compareTo((BigDecimal) v) == 0
            : want.equals(v);
        if (!equal)
          problem("interop.types id " + e.getKey() + " " + col + ": Avro " + v + ", SELECT " + want);
        ++values;
      }
    }
    System.out.println("avro: interop.types: " + rows.size() + " rows, " + values
                       + " values compared with SELECT");
  }

  public static void main(String[] args) throws Exception {
    brokers = args[0];
    registry = args[1].replaceAll("/+$", "");
    String jsonPrefix = args[2], avroPrefix = args[3];
    String jdbc = args[4], user = args[5];
    String password = Files.readString(Path.of(args[6])).trim();
    long total = 0;
    Map<String, Schema> typeSchemas = new HashMap<>();
    for (int i = 7; i < args.length; ++i) {
      String suffix = args[i].equals("-") ? "" : "." + args[i];
      String jt = jsonPrefix + suffix, at = avroPrefix + suffix;
      List<ConsumerRecord<byte[], byte[]>> jr = readAll(jt), ar = readAll(at);
      Map<String, Schema> schemas = suffix.equals(".interop.types") ? typeSchemas : new HashMap<>();
      Map<String, List<JsonNode>> want, got;
      try {
        want = byKey(jr, false, jt, schemas);
        got = byKey(ar, true, at, schemas);
      } catch (Exception e) {
        problem(at + ": " + e);
        continue;
      }
      if (jr.isEmpty())
        problem(jt + ": no records");
      if (jr.size() != ar.size())
        problem(at + ": " + ar.size() + " records, " + jt + ": " + jr.size());
      for (Map.Entry<String, List<JsonNode>> e : want.entrySet()) {
        List<JsonNode> g = got.get(e.getKey());
        List<JsonNode> w = e.getValue();
        if (g == null) {
          problem(at + ": no records for key " + e.getKey());
          continue;
        }
        for (int k = 0; k < Math.max(w.size(), g.size()); ++k) {
          if (k >= w.size() || k >= g.size()) {
            problem(at + " key " + e.getKey() + ": " + g.size() + " records, JSON " + w.size());
            break;
          }
          if (!same(w.get(k), g.get(k)))
            problem(at + " key " + e.getKey() + " record " + k + ":\n  avro " + g.get(k)
                    + "\n  json " + w.get(k));
        }
      }
      total += ar.size();
      System.out.println("avro: " + at + ": " + ar.size() + " records read with Avro");
      if (suffix.equals(".interop.types")) {
        checkSchemas(avroPrefix, schemas);
        checkSelect(ar, jdbc, user, password);
      }
    }
    System.out.println("avro: " + total + " records, " + SCHEMAS.size() + " schemas, "
                       + problems.size() + " problems");
    System.out.println(problems.isEmpty() ? "avro: RESULT OK" : "avro: RESULT FAIL");
  }
}
