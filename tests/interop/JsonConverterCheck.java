// Kafka's own JsonConverter (org.apache.kafka:connect-json, schemas.enable=
// true) reads every record that binlog2kafka wrote with schemas = true into
// Connect data, as a Kafka Connect sink would: keys and values, tombstones,
// transaction and schema-change records. Each value must validate against
// its schema, and each column's field must have the Connect type (and
// logical name) that connect_types.json expects for it under the topic's
// options.
//
//   java JsonConverterCheck DIR TYPES.json PREFIX...
//
// DIR holds <topic>.jsonl files as `kcat -J` prints them. Prints one line
// per topic and "jsonconverter: RESULT OK|FAIL records=N fields=N"; exits 1
// on any failure.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

public class JsonConverterCheck {
  static final ObjectMapper mapper = new ObjectMapper();
  static final List<String> failures = new ArrayList<>();
  static int records = 0;
  static int fields = 0;

  static JsonConverter converter(boolean isKey) {
    JsonConverter c = new JsonConverter();
    c.configure(Map.of("schemas.enable", "true"), isKey);
    return c;
  }

  static String describe(Schema s) {
    return s.type() + (s.name() == null ? "" : "/" + s.name());
  }

  public static void main(String[] args) throws Exception {
    File dir = new File(args[0]);
    JsonNode expected = mapper.readTree(new File(args[1]));
    JsonConverter keys = converter(true);
    JsonConverter values = converter(false);
    for (int a = 2; a < args.length; ++a) {
      String prefix = args[a];
      // Every topic of the run but its commit log (binlog2kafka's own).
      File[] files = dir.listFiles((d, n) -> n.startsWith(prefix + ".") && n.endsWith(".jsonl")
                                             && !n.endsWith(".commits.jsonl"));
      if (files == null || files.length == 0)
        failures.add(prefix + ": no topics");
      for (File f : files) {
        String topic = f.getName().substring(0, f.getName().length() - 6);
        String table = topic.substring(prefix.length() + 1);
        JsonNode columns = expected.path(prefix).path(table);
        int n = 0;
        for (String line : Files.readAllLines(f.toPath(), StandardCharsets.UTF_8)) {
          if (line.isBlank())
            continue;
          JsonNode rec = mapper.readTree(line);
          String where = topic + " offset " + rec.path("offset").asText();
          try {
            check(rec, topic, table, columns, keys, values, where);
          } catch (RuntimeException e) {
            failures.add(where + ": " + e);
          }
          ++n;
          ++records;
        }
        System.out.println("jsonconverter: " + topic + ": " + n + " records read");
      }
    }
    for (String f : failures.subList(0, Math.min(40, failures.size())))
      System.out.println("jsonconverter: FAIL " + f);
    boolean ok = failures.isEmpty() && records > 0;
    System.out.println("jsonconverter: RESULT " + (ok ? "OK" : "FAIL") + " records=" + records
                       + " fields=" + fields + " failures=" + failures.size());
    System.exit(ok ? 0 : 1);
  }

  static byte[] bytes(JsonNode n) {
    return n.isNull() ? null : n.asText().getBytes(StandardCharsets.UTF_8);
  }

  static void check(JsonNode rec, String topic, String table, JsonNode columns,
                    JsonConverter keys, JsonConverter values, String where) {
    SchemaAndValue key = keys.toConnectData(topic, bytes(rec.path("key")));
    if (key.value() != null)
      ((Struct) key.value()).validate();
    SchemaAndValue value = values.toConnectData(topic, bytes(rec.path("payload")));
    if (value.value() == null)
      return; // a tombstone
    Struct v = (Struct) value.value();
    v.validate();
    if (columns.isMissingNode())
      return; // transaction and schema-change records: no columns to check
    if (!value.schema().name().endsWith(".Envelope"))
      failures.add(where + ": value schema " + value.schema().name());
    for (String image : new String[] {"before", "after"}) {
      Struct row = v.getStruct(image);
      Schema rowSchema = value.schema().field(image).schema();
      for (Field field : rowSchema.fields()) {
        ++fields;
        JsonNode want = columns.path(field.name());
        String got = describe(field.schema());
        if (!want.isTextual() || !want.asText().equals(got))
          failures.add(where + ": " + image + "." + field.name() + " is " + got
                       + ", expected " + want);
        if (row != null && !field.schema().isOptional() && row.get(field) == null)
          failures.add(where + ": " + image + "." + field.name() + " is null");
      }
    }
    if (key.value() != null)
      for (Field field : key.schema().fields()) {
        ++fields;
        JsonNode want = columns.path(field.name());
        String got = describe(field.schema());
        if (!want.isTextual() || !want.asText().equals(got))
          failures.add(where + ": key." + field.name() + " is " + got + ", expected " + want);
      }
  }
}
