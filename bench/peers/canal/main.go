// canal-kafka: the go-mysql canal peer of bench/run.sh.
//
// What a Go shop that builds its own CDC on github.com/go-mysql-org/go-mysql
// writes: a canal.Canal that reads the binlog as a replica (no mysqldump
// snapshot), an event handler that turns every row of a RowsEvent into a
// JSON record shaped like binlog2kafka's and Debezium's envelope
// ({"before","after","op","source"}), keyed by the primary key, and a
// franz-go client that produces it to Kafka with acks=all and the idempotent
// producer (franz-go's defaults, set explicitly here), lz4 like binlog2kafka.
//
// It does not persist its position (a real deployment would save the
// position of OnPosSynced after a Flush): the benchmark starts it at an
// explicit binlog position or at the server's current end.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/canal"
	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/twmb/franz-go/pkg/kgo"
)

type source struct {
	Name   string `json:"name"`
	DB     string `json:"db"`
	Table  string `json:"table"`
	File   string `json:"file"`
	Pos    uint32 `json:"pos"`
	Row    int    `json:"row"`
	TsMs   int64  `json:"ts_ms"`
	Server uint32 `json:"server_id"`
}

type envelope struct {
	Before map[string]interface{} `json:"before"`
	After  map[string]interface{} `json:"after"`
	Op     string                 `json:"op"`
	TsMs   int64                  `json:"ts_ms"`
	Source source                 `json:"source"`
}

type handler struct {
	canal.DummyEventHandler
	cl       *kgo.Client
	prefix   string
	file     string
	produced atomic.Int64
	failed   atomic.Int64
}

func (h *handler) OnPosSynced(_ *replication.EventHeader, pos mysql.Position, _ mysql.GTIDSet, _ bool) error {
	h.file = pos.Name
	return nil
}

func rowMap(e *canal.RowsEvent, row []interface{}) map[string]interface{} {
	m := make(map[string]interface{}, len(e.Table.Columns))
	for i, c := range e.Table.Columns {
		if i < len(row) {
			m[c.Name] = row[i]
		}
	}
	return m
}

func (h *handler) OnRow(e *canal.RowsEvent) error {
	topic := h.prefix + "." + e.Table.Schema + "." + e.Table.Name
	var op string
	step := 1
	switch e.Action {
	case canal.InsertAction:
		op = "c"
	case canal.DeleteAction:
		op = "d"
	case canal.UpdateAction:
		op = "u"
		step = 2
	default:
		return nil
	}
	var file string = h.file
	var pos uint32
	var ts int64
	if e.Header != nil {
		pos = e.Header.LogPos
		ts = int64(e.Header.Timestamp) * 1000
	}
	for i := 0; i+step <= len(e.Rows); i += step {
		env := envelope{Op: op, TsMs: time.Now().UnixMilli(), Source: source{
			Name: h.prefix, DB: e.Table.Schema, Table: e.Table.Name, File: file,
			Pos: pos, Row: i / step, TsMs: ts, Server: e.Header.ServerID}}
		var keyRow []interface{}
		switch op {
		case "c":
			env.After = rowMap(e, e.Rows[i])
			keyRow = e.Rows[i]
		case "d":
			env.Before = rowMap(e, e.Rows[i])
			keyRow = e.Rows[i]
		case "u":
			env.Before = rowMap(e, e.Rows[i])
			env.After = rowMap(e, e.Rows[i+1])
			keyRow = e.Rows[i+1]
		}
		var key []byte
		if len(e.Table.PKColumns) > 0 {
			k := make(map[string]interface{}, len(e.Table.PKColumns))
			for _, idx := range e.Table.PKColumns {
				k[e.Table.Columns[idx].Name] = keyRow[idx]
			}
			key, _ = json.Marshal(k)
		}
		value, err := json.Marshal(&env)
		if err != nil {
			return err
		}
		// Produce blocks when MaxBufferedRecords are waiting: back-pressure
		// on the binlog reader instead of unbounded memory.
		h.cl.Produce(context.Background(), &kgo.Record{Topic: topic, Key: key, Value: value},
			func(_ *kgo.Record, err error) {
				if err != nil {
					if h.failed.Add(1) == 1 {
						log.Printf("produce failed: %v", err)
					}
					return
				}
				h.produced.Add(1)
			})
	}
	return nil
}

func (h *handler) String() string { return "canal-kafka" }

func main() {
	addr := flag.String("addr", "127.0.0.1:3306", "MySQL/MariaDB host:port")
	user := flag.String("user", "canal", "replication user")
	pwFile := flag.String("password-file", "", "file holding the password")
	flavor := flag.String("flavor", "mariadb", "mysql or mariadb")
	serverID := flag.Uint("server-id", 4711, "replica server id")
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka bootstrap servers")
	prefix := flag.String("prefix", "canal", "topic prefix: <prefix>.<db>.<table>")
	from := flag.String("from", "end", "FILE:POS, or end for the server's current end")
	include := flag.String("include", "", "comma-separated table regexes (db\\.table), empty for all")
	flag.Parse()

	password := ""
	if *pwFile != "" {
		b, err := os.ReadFile(*pwFile)
		if err != nil {
			log.Fatal(err)
		}
		password = strings.TrimSpace(string(b))
	}

	cl, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(*brokers, ",")...),
		kgo.RequiredAcks(kgo.AllISRAcks()), // acks=all (the default)
		kgo.ProducerBatchCompression(kgo.Lz4Compression()),
		kgo.ProducerLinger(5*time.Millisecond),
		kgo.AllowAutoTopicCreation(),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
	) // idempotence: franz-go's default (no DisableIdempotentWrite)
	if err != nil {
		log.Fatal(err)
	}

	cfg := canal.NewDefaultConfig()
	cfg.Addr = *addr
	cfg.User = *user
	cfg.Password = password
	cfg.Flavor = *flavor
	cfg.ServerID = uint32(*serverID)
	cfg.Dump.ExecutionPath = "" // no mysqldump snapshot: binlog only
	if *include != "" {
		cfg.IncludeTableRegex = strings.Split(*include, ",")
	}
	c, err := canal.NewCanal(cfg)
	if err != nil {
		log.Fatal(err)
	}
	h := &handler{cl: cl, prefix: *prefix}
	c.SetEventHandler(h)

	var pos mysql.Position
	if *from == "end" {
		pos, err = c.GetMasterPos()
		if err != nil {
			log.Fatal(err)
		}
	} else {
		i := strings.LastIndexByte(*from, ':')
		if i < 0 {
			log.Fatalf("--from=%s: want FILE:POS or end", *from)
		}
		p, err := strconv.ParseUint((*from)[i+1:], 10, 32)
		if err != nil {
			log.Fatal(err)
		}
		pos = mysql.Position{Name: (*from)[:i], Pos: uint32(p)}
	}
	h.file = pos.Name

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		c.Close()
	}()
	log.Printf("canal-kafka: from %s:%d to %s", pos.Name, pos.Pos, *brokers)
	if err := c.RunFrom(pos); err != nil && !strings.Contains(err.Error(), "context canceled") {
		log.Printf("canal: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.Flush(ctx); err != nil {
		log.Printf("flush: %v", err)
	}
	cl.Close()
	fmt.Fprintf(os.Stderr, "canal-kafka: %d records acknowledged, %d failed\n", h.produced.Load(), h.failed.Load())
}
