// Flink SQL reads binlog2kafka's topics with the 'debezium-json' format, as
// a user would: tables declared with Flink's own types (TIMESTAMP(n) for
// DATETIME, TIMESTAMP_LTZ for TIMESTAMP, DATE, TIME, DECIMAL, BOOLEAN for
// BIT(1), BYTES), the Kafka connector bounded at the topics' ends, with
// table.exec.source.cdc-events-duplicate off and on. Each table is
// materialized from the changelog Flink produces (+I, -U, +U, -D) and must
// equal what SELECT returns from MariaDB now.
//
//   java FlinkCheck BROKERS JDBC_URL USER PASSWORD_FILE
//
// Readable mode (run b2kR) for every table; Debezium mode with schemas
// (run b2kB, 'debezium-json.schema-include' = 'true') for two. Prints one
// line per table and mode and "flink: RESULT OK|FAIL tables=N rows=N";
// exits 1 on any difference.

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

public class FlinkCheck {
  /** A column: its Flink declaration, the SELECT expression giving the
   *  same value from MariaDB, and how both are turned into text. */
  record Col(String name, String type, String sql, String kind) {}

  record Table(String name, String topic, List<Col> cols, List<String> key,
               boolean schemaInclude) {}

  static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  static Col c(String name, String type, String sql, String kind) {
    return new Col(name, type, sql, kind);
  }

  static Col n(String name, String type) { // a plain integer column
    return new Col(name, type, name, "int");
  }

  static String dateSql(String c) {
    return "IF(MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0, NULL, CAST(" + c + " AS CHAR))";
  }

  static String datetimeSql(String c) {
    return "IF(MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0, NULL, DATE_FORMAT(" + c
        + ", '%Y-%m-%dT%H:%i:%s.%f'))";
  }

  static String timestampSql(String c) {
    return "IF(UNIX_TIMESTAMP(" + c + ") = 0, NULL, DATE_FORMAT(" + c
        + ", '%Y-%m-%dT%H:%i:%s.%f'))";
  }

  // Flink's JSON formats read a TIME to the second: their converter drops
  // the fraction (JsonToRowDataConverters.convertToTime).
  static String timeSql(String c) {
    return "TIME_FORMAT(" + c + ", '%H:%i:%s')";
  }

  static List<Table> tables() {
    List<Table> t = new ArrayList<>();
    List<Col> types = List.of(
        n("id", "INT"), n("ti", "TINYINT"), n("tiu", "SMALLINT"), n("t1", "TINYINT"),
        n("si", "SMALLINT"), n("siu", "INT"), n("mi", "INT"), n("miu", "INT"), n("i", "INT"),
        n("iu", "BIGINT"), n("bi", "BIGINT"),
        c("biu", "DECIMAL(20, 0)", "CAST(biu AS CHAR)", "dec"),
        c("d52", "DECIMAL(5, 2)", "CAST(d52 AS CHAR)", "dec"),
        c("d200", "DECIMAL(20, 0)", "CAST(d200 AS CHAR)", "dec"),
        // Flink's DECIMAL holds 38 digits at most.
        c("d6530", "STRING", "CAST(d6530 AS CHAR)", "str"),
        c("d44", "DECIMAL(4, 4)", "CAST(d44 AS CHAR)", "dec"),
        c("f", "FLOAT", "f", "float"), c("dbl", "DOUBLE", "dbl", "double"),
        c("b1", "BOOLEAN", "b1 + 0", "bool"), c("b5", "INT", "b5 + 0", "int"),
        c("b10", "INT", "b10 + 0", "int"),
        c("b64", "DECIMAL(20, 0)", "CAST(b64 + 0 AS CHAR)", "dec"),
        c("y", "INT", "y + 0", "int"),
        c("dt", "DATE", dateSql("dt"), "date"),
        c("dtm", "TIMESTAMP(0)", datetimeSql("dtm"), "ts"),
        c("dtm3", "TIMESTAMP(3)", datetimeSql("dtm3"), "ts"),
        c("dtm6", "TIMESTAMP(6)", datetimeSql("dtm6"), "ts"),
        c("dtm2", "TIMESTAMP(2)", datetimeSql("dtm2"), "ts"),
        c("ts", "TIMESTAMP_LTZ(0)", timestampSql("ts"), "ltz"),
        c("ts3", "TIMESTAMP_LTZ(3)", timestampSql("ts3"), "ltz"),
        c("ts6", "TIMESTAMP_LTZ(6)", timestampSql("ts6"), "ltz"),
        // TIME out of the day (up to 838 hours) is no Flink TIME.
        c("tm", "STRING", "CAST(tm AS CHAR)", "str"),
        c("tm3", "STRING", "CAST(tm3 AS CHAR)", "str"),
        c("tm6", "STRING", "CAST(tm6 AS CHAR)", "str"),
        c("tm1", "STRING", "CAST(tm1 AS CHAR)", "str"),
        c("c", "STRING", "c", "str"), c("vc", "STRING", "vc", "str"),
        c("vl", "STRING", "vl", "str"), c("tx", "STRING", "tx", "str"),
        c("bn", "BYTES", "bn", "bytes"), c("vb", "BYTES", "vb", "bytes"),
        c("bl", "BYTES", "bl", "bytes"), c("e", "STRING", "e", "str"),
        c("s", "STRING", "s", "str"), c("j", "STRING", "j", "str"),
        c("g", "BYTES", "g", "bytes"), c("pt", "BYTES", "pt", "bytes"));
    t.add(new Table("types", "b2kR.interop.types", types, List.of("id"), false));
    t.add(new Table("zeros", "b2kR.interop.zeros", List.of(
        n("id", "INT"), c("dt", "DATE", dateSql("dt"), "date"),
        c("dtm", "TIMESTAMP(0)", datetimeSql("dtm"), "ts"),
        c("dtm6", "TIMESTAMP(6)", datetimeSql("dtm6"), "ts"),
        c("ts", "TIMESTAMP_LTZ(0)", timestampSql("ts"), "ltz"),
        c("tm", "STRING", "CAST(tm AS CHAR)", "str")), List.of("id"), false));
    t.add(new Table("keyed", "b2kR.interop.keyed", List.of(
        c("k1", "STRING", "k1", "str"), c("k2", "DATE", dateSql("k2"), "date"),
        c("k3", "DECIMAL(20, 0)", "CAST(k3 AS CHAR)", "dec"), c("v", "STRING", "v", "str")),
        List.of("k1", "k2", "k3"), false));
    t.add(new Table("daytimes", "b2kR.interop.daytimes", List.of(
        n("id", "INT"), c("t0", "TIME(0)", timeSql("t0"), "time"),
        c("t3", "TIME(3)", timeSql("t3"), "time"),
        c("t6", "TIME(3)", timeSql("t6"), "time")), List.of("id"), false));
    t.add(new Table("nokey", "b2kR.interop.nokey", List.of(
        n("a", "INT"), c("b", "STRING", "b", "str")), List.of(), false));
    // Debezium's values with Kafka Connect schemas: a DATE is its epoch
    // day, a precise BIGINT UNSIGNED its Decimal bytes.
    t.add(new Table("keyed", "b2kB.interop.keyed", List.of(
        c("k1", "STRING", "k1", "str"),
        c("k2", "INT", "DATEDIFF(k2, '1970-01-01')", "int"),
        c("k3", "BYTES", "CAST(k3 AS CHAR)", "unscaled"), c("v", "STRING", "v", "str")),
        List.of("k1", "k2", "k3"), true));
    t.add(new Table("nokey", "b2kB.interop.nokey", List.of(
        n("a", "INT"), c("b", "STRING", "b", "str")), List.of(), true));
    return t;
  }

  /** The text of a value from Flink or from JDBC, by the column's kind. */
  static String text(Object v, String kind) {
    if (v == null)
      return "null";
    switch (kind) {
      case "int":
        return Long.toString(((Number) v).longValue());
      case "dec":
        return ((BigDecimal) v).toPlainString();
      case "float":
        return Float.toString((Float) v);
      case "double":
        return Double.toString((Double) v);
      case "bool":
        return v.toString();
      case "date":
        return v.toString();
      case "ts":
        return ((LocalDateTime) v).format(TS);
      case "ltz":
        return LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC).format(TS) + "Z";
      case "time":
        return ((LocalTime) v).format(TIME);
      case "bytes":
        return Base64.getEncoder().encodeToString((byte[]) v);
      default:
        return v.toString();
    }
  }

  /** The same from a JDBC row (SELECT's expressions already give text for
   *  dates and times). */
  static String jdbcText(ResultSet rs, int i, String kind) throws Exception {
    switch (kind) {
      case "int": {
        long x = rs.getLong(i);
        return rs.wasNull() ? "null" : Long.toString(x);
      }
      case "dec": {
        String s = rs.getString(i);
        return s == null ? "null" : new BigDecimal(s).toPlainString();
      }
      case "float": {
        float x = rs.getFloat(i);
        return rs.wasNull() ? "null" : Float.toString(x);
      }
      case "double": {
        double x = rs.getDouble(i);
        return rs.wasNull() ? "null" : Double.toString(x);
      }
      case "bool": {
        long x = rs.getLong(i);
        return rs.wasNull() ? "null" : Boolean.toString(x != 0);
      }
      case "bytes": {
        byte[] b = rs.getBytes(i);
        return b == null ? "null" : Base64.getEncoder().encodeToString(b);
      }
      case "unscaled": {
        String s = rs.getString(i);
        return s == null ? "null"
            : Base64.getEncoder().encodeToString(new BigInteger(s).toByteArray());
      }
      case "ltz": {
        String s = rs.getString(i);
        return s == null ? "null" : s + "Z";
      }
      default: {
        String s = rs.getString(i);
        return s == null ? "null" : s;
      }
    }
  }

  static String flinkText(Object v, String kind) {
    if (kind.equals("unscaled"))
      return v == null ? "null" : Base64.getEncoder().encodeToString((byte[]) v);
    if (kind.equals("time") && v instanceof LocalTime)
      return ((LocalTime) v).format(TIME);
    return text(v, kind);
  }

  static String ddl(Table t, String brokers, String name) {
    StringBuilder sb = new StringBuilder("CREATE TABLE `" + name + "` (");
    for (int i = 0; i < t.cols().size(); ++i) {
      Col col = t.cols().get(i);
      sb.append(i > 0 ? ", " : "").append('`').append(col.name()).append("` ").append(col.type());
    }
    if (!t.key().isEmpty())
      sb.append(", PRIMARY KEY (`").append(String.join("`, `", t.key())).append("`) NOT ENFORCED");
    sb.append(") WITH ('connector' = 'kafka', 'topic' = '").append(t.topic())
        .append("', 'properties.bootstrap.servers' = '").append(brokers)
        .append("', 'properties.group.id' = 'flinkcheck'")
        .append(", 'scan.startup.mode' = 'earliest-offset'")
        .append(", 'scan.bounded.mode' = 'latest-offset'")
        .append(", 'format' = 'debezium-json'")
        .append(", 'debezium-json.timestamp-format.standard' = 'ISO-8601'");
    if (t.schemaInclude())
      sb.append(", 'debezium-json.schema-include' = 'true'");
    return sb.append(")").toString();
  }

  /** Rows by key (or, without a key, by the whole row, counted). */
  static Map<String, Integer> materialize(TableEnvironment env, Table t, String name)
      throws Exception {
    Map<String, Integer> rows = new TreeMap<>();
    Map<String, String> byKey = new HashMap<>();
    List<Integer> keyIdx = new ArrayList<>();
    for (String k : t.key())
      for (int i = 0; i < t.cols().size(); ++i)
        if (t.cols().get(i).name().equals(k))
          keyIdx.add(i);
    try (CloseableIterator<Row> it = env.executeSql("SELECT * FROM `" + name + "`").collect()) {
      while (it.hasNext()) {
        Row r = it.next();
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < t.cols().size(); ++i)
          cells.add(flinkText(r.getField(i), t.cols().get(i).kind()));
        String row = String.join(" | ", cells);
        boolean add = r.getKind() == RowKind.INSERT || r.getKind() == RowKind.UPDATE_AFTER;
        if (keyIdx.isEmpty()) {
          rows.merge(row, add ? 1 : -1, Integer::sum);
          rows.remove(row, 0);
        } else {
          StringBuilder k = new StringBuilder();
          for (int i : keyIdx)
            k.append(cells.get(i)).append(" | ");
          String key = k.toString();
          String old = byKey.remove(key);
          if (old != null)
            rows.remove(old);
          if (add) {
            byKey.put(key, row);
            rows.put(row, 1);
          }
        }
      }
    }
    return rows;
  }

  static Map<String, Integer> select(Connection db, Table t) throws Exception {
    Map<String, Integer> rows = new TreeMap<>();
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < t.cols().size(); ++i)
      sql.append(i > 0 ? ", " : "").append(t.cols().get(i).sql());
    sql.append(" FROM interop.").append(t.name());
    try (PreparedStatement st = db.prepareStatement(sql.toString());
         ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < t.cols().size(); ++i)
          cells.add(jdbcText(rs, i + 1, t.cols().get(i).kind()));
        rows.merge(String.join(" | ", cells), 1, Integer::sum);
      }
    }
    return rows;
  }

  public static void main(String[] args) throws Exception {
    String brokers = args[0];
    String password = Files.readString(Path.of(args[3])).trim();
    int failures = 0;
    int checked = 0;
    int rowCount = 0;
    try (Connection db = DriverManager.getConnection(args[1], args[2], password)) {
      try (var st = db.createStatement()) {
        st.execute("SET time_zone = '+00:00'");
      }
      // One cluster for every job: a job's own local cluster stops with
      // the job, and collect() may lose the last rows of a bounded one.
      Configuration clusterConf = new Configuration();
      clusterConf.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
      clusterConf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
      clusterConf.set(RestOptions.PORT, 0);
      MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
          .setConfiguration(clusterConf).setNumTaskManagers(1).build());
      cluster.start();
      var rest = cluster.getRestAddress().get();
      for (String duplicates : new String[] {"false", "true"}) {
        Configuration conf = new Configuration();
        conf.set(DeploymentOptions.TARGET, "remote");
        conf.set(RestOptions.ADDRESS, rest.getHost());
        conf.set(RestOptions.PORT, rest.getPort());
        TableEnvironment env = TableEnvironment.create(
            EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        env.getConfig().set("table.exec.source.cdc-events-duplicate", duplicates);
        env.getConfig().set("table.local-time-zone", "UTC");
        env.getConfig().set("parallelism.default", "1");
        int n = 0;
        for (Table t : tables()) {
          // Flink deduplicates by the primary key only.
          if (duplicates.equals("true") && t.key().isEmpty())
            continue;
          String name = t.name() + "_" + (++n);
          env.executeSql(ddl(t, brokers, name));
          Map<String, Integer> flink = materialize(env, t, name);
          Map<String, Integer> want = select(db, t);
          ++checked;
          rowCount += want.size();
          String what = t.topic() + " cdc-events-duplicate=" + duplicates;
          if (flink.equals(want)) {
            System.out.println("flink: " + what + ": " + want.size() + " rows equal SELECT");
            continue;
          }
          ++failures;
          System.out.println("flink: FAIL " + what + ":");
          for (var e : want.entrySet())
            if (!e.getValue().equals(flink.get(e.getKey())))
              System.out.println("flink:   SELECT " + e.getKey());
          for (var e : flink.entrySet())
            if (!e.getValue().equals(want.get(e.getKey())))
              System.out.println("flink:   Flink  " + e.getKey());
        }
      }
      cluster.close();
    }
    boolean ok = failures == 0 && checked > 0;
    System.out.println("flink: RESULT " + (ok ? "OK" : "FAIL") + " tables=" + checked
                       + " rows=" + rowCount + " failures=" + failures);
    System.exit(ok ? 0 : 1);
  }
}
