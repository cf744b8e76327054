#define CAF_SUITE actors.reader

// The reader against a source that plays the events of a real MariaDB
// binlog file: how it cuts batches, spends and regains credit, hands its
// batches on, stops, and sends what it read completely before it dies.

#include "actors/reader.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "binlog/bytes.hpp"
#include "config/options.hpp"
#include "tests/unit/actors/mocks.hpp"
#include "tests/unit/fixtures.hpp"

using namespace b2k;
using namespace b2k::test;

namespace {

using bytes = std::vector<uint8_t>;

/// The events of a binlog file with their offsets.
struct binlog_file {
  std::string name;
  std::vector<std::pair<uint64_t, bytes>> events;

  explicit binlog_file(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    bytes data{std::istreambuf_iterator<char>{in}, {}};
    name = path.substr(path.rfind('/') + 1);
    for (size_t offset = 4; offset + 13 <= data.size();) {
      auto size = binlog::load_le32(data.data() + offset + 9);
      events.emplace_back(offset, bytes(data.begin() + offset,
                                        data.begin() + offset + size));
      offset += size;
    }
  }
};

/// Plays a file's events as a server would send them from a position (its
/// FORMAT_DESCRIPTION first), then fails as a dropped connection does. The
/// lock is always free.
class fake_source : public binlog::source {
public:
  /// What data_pending() says: true keeps the reader batching up to its
  /// limits; false makes it flush at every transaction's end.
  bool pending = false;
  /// Where start() was asked to start, and whether by GTID (outlive the
  /// reader's source).
  binlog::position* started_at = nullptr;
  /// As a server sends a backlog: data is pending while events are left,
  /// and after the file's ROTATE come the next file's first events (here
  /// its FORMAT_DESCRIPTION), which end no transaction.
  bool like_server = false;
  /// Called when the reader asks for an event past the end, where a server
  /// would keep it waiting until its next heartbeat.
  std::function<void()> on_wait;
  bool* started_by_gtid = nullptr;

  explicit fake_source(const binlog_file& file) : file_(file) {
    settings_.version = "10.11.6-MariaDB (fake)";
    settings_.mariadb = true;
    settings_.server_id = 1;
    settings_.binlog_format = "ROW";
    settings_.binlog_row_metadata = "FULL";
    settings_.binlog_checksum = "CRC32";
    settings_.log_bin = true;
  }

  binlog::error connect(bool) override {
    return {};
  }
  const binlog::server_settings& settings() const override {
    return settings_;
  }
  binlog::checksum_alg checksum() const override {
    return binlog::checksum_alg::crc32;
  }
  bool mysql_gtids() const override {
    return false;
  }
  binlog::error first_file(std::string& out) override {
    out = file_.name;
    return {};
  }
  binlog::error current_end(binlog::position& out) override {
    out.file = file_.name;
    out.pos = file_.events.back().first + file_.events.back().second.size();
    return {};
  }
  std::string gtid_state_at(const binlog::position&) override {
    return "";
  }
  binlog::error start(const binlog::position& from, bool by_gtid) override {
    if (started_at != nullptr)
      *started_at = from;
    if (started_by_gtid != nullptr)
      *started_by_gtid = by_gtid;
    queue_.clear();
    queue_.push_back(&file_.events.front().second);
    for (auto& [offset, event] : file_.events)
      if (offset >= from.pos && offset > 4)
        queue_.push_back(&event);
    if (like_server)
      queue_.push_back(&file_.events.front().second);
    next_ = 0;
    return {};
  }
  binlog::error next(const uint8_t*& data, size_t& size) override {
    if (next_ == queue_.size()) {
      if (on_wait)
        on_wait();
      return {binlog::errc::connection, "the fake source has no more events"};
    }
    auto& event = *queue_[next_++];
    data = event.data();
    size = event.size();
    return {};
  }
  bool data_pending() const override {
    return pending || (like_server && next_ < queue_.size());
  }

  binlog::error acquire_lock(const std::string&, std::chrono::seconds,
                             std::chrono::seconds) override {
    return {};
  }
  binlog::error connect_lock(const std::string&,
                             std::chrono::seconds) override {
    return {};
  }
  binlog::error try_lock(std::chrono::seconds, bool& got,
                         std::string&) override {
    got = true;
    return {};
  }
  binlog::error keep_lock_alive() override {
    return {};
  }
  bool lock_held() const override {
    return true;
  }

private:
  const binlog_file& file_;
  binlog::server_settings settings_;
  std::vector<const bytes*> queue_;
  size_t next_ = 0;
};

/// One record as the producer would send it.
struct sent_record {
  std::string topic;
  std::string key;
  std::string value;
  bool null_value;

  friend bool operator==(const sent_record& x, const sent_record& y) {
    return x.topic == y.topic && x.key == y.key && x.value == y.value
           && x.null_value == y.null_value;
  }
};

std::string to_string(const sent_record& x) {
  return x.topic + " " + x.key;
}

struct record_list : binlog::record_sink {
  std::vector<sent_record> records;
  void on_record(const binlog::row_record& r) override {
    records.push_back({std::string{r.topic}, std::string{r.key},
                       std::string{r.value}, r.null_value()});
  }
  void on_transaction_end(const binlog::position&) override {
  }
};

/// What the reader sent to the watcher and the producer.
struct downstream {
  std::vector<batch_ticket> tickets;
  std::vector<uint64_t> delivered;
  std::vector<record_batch> batches;
  size_t resumes = 0;
  size_t leases = 0;
  bool attached = false;
  /// What the watcher answers when asked where to start.
  binlog::position resume_at;
  watcher_mock watcher;
  producer_mock producer;

  downstream() {
    watcher.delivered = [this](uint64_t seq) { delivered.push_back(seq); };
    watcher.attach = [this](reader_actor&) { attached = true; };
    watcher.enqueue = [this](batch_ticket& ticket) {
      tickets.push_back(std::move(ticket));
    };
    watcher.resume = [this] {
      ++resumes;
      return resume_at;
    };
    watcher.lease = [this](int64_t) { ++leases; };
    producer.batch = [this](record_batch& batch) {
      batches.push_back(std::move(batch));
    };
  }

  // The mocks point into it.
  downstream(const downstream&) = delete;
  downstream& operator=(const downstream&) = delete;
};

struct fixture : deterministic_fixture {
  binlog_file file{std::string{B2K_TEST_DATA_DIR} + "/mariadb_records.000001"};
  downstream down;
  watcher_actor watcher;
  producer_actor producer;
  reader_actor aut;
  binlog::position started_at;
  /// Makes the source behave like_server, calling on_wait at its end.
  std::function<void()> like_server;
  bool started_by_gtid = false;

  fixture() {
    watcher = sys.spawn(mock_watcher, &down.watcher);
    producer = sys.spawn(mock_producer, &down.producer);
  }

  ~fixture() override {
    // Stopped first: its keep-alive timer would re-arm itself forever.
    for (auto h : {caf::actor_cast<caf::actor>(aut),
                   caf::actor_cast<caf::actor>(watcher),
                   caf::actor_cast<caf::actor>(producer)})
      if (h)
        self->send_exit(h, caf::exit_reason::user_shutdown);
    consume_messages();
  }

  /// Starts the reader at `start` (empty: where the watcher says) and lets
  /// it read as far as its credit goes.
  void start(binlog::position start, bool pending, uint64_t batch_records,
             uint64_t max_inflight_bytes,
             resume_mode resume_by = resume_mode::automatic) {
    reader_config cfg;
    cfg.settings = make_settings([&](settings& s) {
      s.source.resume_by = resume_by;
      s.batches.records = batch_records;
      s.batches.max_inflight_bytes = max_inflight_bytes;
      // No batch waits for time: only the size, the end of what is pending
      // and the end of the stream cut batches.
      s.batches.delay = std::chrono::hours(1);
      s.progress_interval = caf::timespan{0};
    });
    cfg.start = std::move(start);
    cfg.open_source = [this, pending](const source_settings&) {
      auto result = std::make_unique<fake_source>(file);
      result->pending = pending;
      result->started_at = &started_at;
      result->like_server = static_cast<bool>(like_server);
      result->on_wait = like_server;
      result->started_by_gtid = &started_by_gtid;
      return result;
    };
    self->monitor(aut = sys.spawn(reader, std::move(cfg), watcher, producer));
    // Without run(): that would fire the keep-alive timer forever.
    consume_messages();
  }

  /// The file from `start` decoded in one go, as the reader must send it.
  std::vector<sent_record> expected(binlog::position start) {
    record_list sink;
    fake_source src{file};
    auto encoder = binlog::record_encoder::make(make_settings()->records);
    CAF_REQUIRE(encoder);
    binlog::stream stream{src, std::move(*encoder), sink};
    CAF_REQUIRE(!stream.start(start, false, true));
    binlog::stream::event ev;
    while (!stream.next(ev)) {
    }
    return sink.records;
  }

  std::vector<sent_record> sent() const {
    std::vector<sent_record> result;
    for (auto& b : down.batches)
      for (auto& r : b.records)
        result.push_back({std::string{b.topic(r)}, std::string{b.key(r)},
                          std::string{b.value(r)}, r.value_null});
    return result;
  }

  /// The tickets of the batches that went to the producer (the others
  /// moved the position only: the reader reported them delivered itself).
  std::vector<batch_ticket> data_tickets() const {
    std::vector<batch_ticket> result;
    for (auto& t : down.tickets)
      if (std::find(down.delivered.begin(), down.delivered.end(), t.seq)
          == down.delivered.end())
        result.push_back(t);
    return result;
  }

  caf::error reader_exit() {
    caf::error reason;
    bool down = false;
    self->receive(
      [&](caf::down_msg& dm) {
        reason = dm.reason;
        down = true;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
    CAF_CHECK(down);
    return reason;
  }

  /// A number the reader answered self with (a chunk's id, or the rows a
  /// chunk sent), if one is waiting.
  std::optional<uint64_t> answer() {
    std::optional<uint64_t> result;
    self->receive([&](uint64_t x) { result = x; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return result;
  }

  /// Opens a chunk of `table` as a lane does (its low watermark; with
  /// `keyless`, the consistent read of a table without a chunk key):
  /// its id.
  uint64_t open_chunk(const std::string& table, bool keyless = false) {
    if (keyless)
      self->send(aut, atom::watermark_v, table, true);
    else
      self->send(aut, atom::watermark_v, table);
    consume_messages();
    auto id = answer();
    CAF_REQUIRE(id);
    return *id;
  }

  /// The reader's state, for what a message cannot show: what it holds
  /// when it goes to wait for the server.
  reader_state& reader_of(const reader_actor& h) {
    auto ptr = caf::actor_cast<caf::abstract_actor*>(h);
    return dynamic_cast<std::remove_pointer_t<
      reader_actor::stateful_pointer<reader_state>>&>(*ptr)
      .state;
  }

  binlog::position start_of_file() const {
    binlog::position p;
    p.file = file.name;
    p.pos = 4;
    return p;
  }
};

constexpr uint64_t plenty = uint64_t{1} << 30;

} // namespace

CAF_TEST_FIXTURE_SCOPE(reader_tests, fixture)

CAF_TEST(every transaction is a batch when nothing more is waiting) {
  start(start_of_file(), false, 10000, plenty);
  CAF_CHECK(down.attached);
  CAF_CHECK_GREATER(down.leases, 0u);
  // Everything went out, in binlog order, before the source "dropped".
  auto want = expected(start_of_file());
  CAF_REQUIRE_GREATER(want.size(), 10u);
  CAF_CHECK_EQUAL(sent(), want);
  CAF_CHECK_EQUAL(static_cast<ec>(reader_exit().code()),
                  ec::source_unavailable);
  // The first ticket is the start itself, released at once.
  CAF_REQUIRE(!down.tickets.empty());
  CAF_CHECK_EQUAL(down.tickets.front().seq, (uint64_t{1} << 40) + 1);
  CAF_CHECK_EQUAL(down.tickets.front().bytes, 0u);
  CAF_CHECK_EQUAL(down.tickets.front().end.pos, 4u);
  // Tickets in read order; the batches match theirs.
  for (size_t i = 1; i < down.tickets.size(); ++i)
    CAF_CHECK_EQUAL(down.tickets[i].seq, down.tickets[i - 1].seq + 1);
  auto tickets = data_tickets();
  CAF_REQUIRE_EQUAL(tickets.size(), down.batches.size());
  for (size_t i = 0; i < tickets.size(); ++i) {
    CAF_CHECK_EQUAL(tickets[i].seq, down.batches[i].seq);
    CAF_CHECK_EQUAL(tickets[i].end, down.batches[i].end);
    CAF_CHECK_EQUAL(tickets[i].bytes, down.batches[i].bytes());
  }
  // A batch per transaction: more batches than the one a size cut makes.
  CAF_CHECK_GREATER(down.batches.size(), 5u);
}

CAF_TEST(the end of a backlog goes out before the reader waits for more) {
  // Issue 14: the backlog's last events were a ROTATE and the next file's
  // FORMAT_DESCRIPTION; the reader held its batch through them and sent it
  // only at the server's next heartbeat, a second later.
  size_t held_records = 1;
  bool held_position = true;
  like_server = [&] {
    auto& st = reader_of(aut);
    held_records = st.batch.records.size();
    held_position = st.resume != st.sent;
  };
  start(start_of_file(), false, 10000, plenty);
  CAF_CHECK_EQUAL(held_records, 0u);
  CAF_CHECK(!held_position);
  // All of it in one batch: data was pending until the end.
  CAF_CHECK_EQUAL(down.batches.size(), 1u);
  CAF_CHECK_EQUAL(sent(), expected(start_of_file()));
}

CAF_TEST(batches are cut at batch-records while more is waiting) {
  start(start_of_file(), true, 3, plenty);
  auto want = expected(start_of_file());
  CAF_CHECK_EQUAL(sent(), want);
  // A batch is cut after the event that fills it (this file's events hold
  // at most two rows); only the last one, flushed when the source dropped,
  // may be shorter.
  CAF_REQUIRE_GREATER(down.batches.size(), 2u);
  for (size_t i = 0; i + 1 < down.batches.size(); ++i) {
    CAF_CHECK_GREATER_OR_EQUAL(down.batches[i].records.size(), 3u);
    CAF_CHECK_LESS_OR_EQUAL(down.batches[i].records.size(), 4u);
  }
  // Positions only move forward: within a transaction by skip_rows.
  for (size_t i = 1; i < down.batches.size(); ++i) {
    auto& x = down.batches[i - 1].end;
    auto& y = down.batches[i].end;
    CAF_CHECK(x.pos < y.pos || (x.pos == y.pos && x.skip_rows < y.skip_rows));
  }
}

CAF_TEST(reading stops when the credit is spent and goes on with more) {
  // One byte of credit: the first batch spends it.
  start(start_of_file(), false, 10000, 1);
  CAF_REQUIRE_EQUAL(down.batches.size(), 1u);
  auto first = down.batches.front().bytes();
  // Credit that leaves it still spent reads nothing.
  self->send(aut, atom::credit_v, first - 1);
  consume_messages();
  CAF_CHECK_EQUAL(down.batches.size(), 1u);
  // Back above zero: the next batch, then it stops again.
  self->send(aut, atom::credit_v, uint64_t{1});
  consume_messages();
  CAF_REQUIRE_EQUAL(down.batches.size(), 2u);
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  CAF_CHECK_EQUAL(sent(), expected(start_of_file()));
}

// The watcher's side of credit, as it gives it back: batch by batch, once
// released. Whatever the order, the bytes out (sent, not given back) never
// stay below max-inflight-bytes while reading stops, and never pass it by
// more than the batch that spent the credit.
CAF_TEST(bytes in flight stay within max inflight bytes) {
  uint64_t total = 0;
  {
    fixture whole;
    whole.start(whole.start_of_file(), false, 10000, plenty);
    for (auto& t : whole.down.tickets)
      total += t.bytes;
  }
  CAF_REQUIRE_GREATER(total, 0u);
  auto limit = total / 5;
  start(start_of_file(), false, 10000, limit);
  uint64_t returned = 0;
  size_t given_back = 0; // tickets whose bytes went back
  size_t stops = 0;
  for (;;) {
    uint64_t out = 0;
    for (auto& t : down.tickets)
      out += t.bytes;
    auto in_flight = out - returned;
    CAF_REQUIRE(!down.tickets.empty());
    auto last = down.tickets.back().bytes;
    // Reading went on while credit was left, and stopped at the batch that
    // spent it.
    CAF_CHECK_LESS(in_flight - last, limit);
    if (out == total)
      break;
    CAF_CHECK_GREATER_OR_EQUAL(in_flight, limit);
    ++stops;
    // Nothing more is read without credit.
    auto tickets = down.tickets.size();
    consume_messages();
    CAF_CHECK_EQUAL(down.tickets.size(), tickets);
    // The watcher releases the oldest batch.
    CAF_REQUIRE_LESS(given_back, down.tickets.size());
    auto bytes = down.tickets[given_back++].bytes;
    returned += bytes;
    if (bytes > 0)
      self->send(aut, atom::credit_v, bytes);
    consume_messages();
  }
  // Credit ran out more than once on the way, and everything went out.
  CAF_CHECK_GREATER(stops, 2u);
  CAF_CHECK_EQUAL(sent(), expected(start_of_file()));
}

CAF_TEST(a stop answers with the last batch sent and reads no more) {
  start(start_of_file(), false, 10000, 1);
  CAF_REQUIRE_EQUAL(down.batches.size(), 1u);
  binlog::position answer;
  self->send(aut, atom::stop_v);
  consume_messages();
  self->receive([&](binlog::position& pos) { answer = std::move(pos); },
                caf::after(std::chrono::seconds(0)) >>
                  [] { CAF_ERROR("no answer to stop"); });
  CAF_CHECK_EQUAL(answer, down.batches.back().end);
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  CAF_CHECK_EQUAL(down.batches.size(), 1u);
}

CAF_TEST(without a start the watcher says where to read from) {
  auto want_all = expected(start_of_file());
  // Resume where a batch in the middle of the file ended.
  binlog::position middle;
  {
    fixture probe_run;
    probe_run.start(probe_run.start_of_file(), false, 10000, plenty);
    CAF_REQUIRE_GREATER(probe_run.down.batches.size(), 4u);
    middle = probe_run.down.batches[2].end;
  }
  down.resume_at = middle;
  start(binlog::position{}, false, 10000, plenty);
  CAF_CHECK_EQUAL(down.resumes, 1u);
  CAF_CHECK_EQUAL(started_at.pos, middle.pos);
  auto want = expected(middle);
  CAF_CHECK_LESS(want.size(), want_all.size());
  CAF_CHECK_EQUAL(sent(), want);
}

CAF_TEST(a given start does not ask the watcher) {
  start(start_of_file(), false, 10000, plenty);
  CAF_CHECK_EQUAL(down.resumes, 0u);
}

// A position names a file of the server it came from; on another server
// (a failover) only its GTID state means the same place.
CAF_TEST(a position of another server is read by its gtid) {
  auto from = start_of_file();
  from.server_id = 7; // the fake source is server id 1
  from.gtid = "0-7-42";
  start(from, false, 10000, plenty);
  CAF_CHECK(started_by_gtid);
  CAF_CHECK_EQUAL(started_at.gtid, "0-7-42");
}

CAF_TEST(a position of another server without a gtid is refused) {
  auto from = start_of_file();
  from.server_id = 7;
  start(from, false, 10000, plenty);
  CAF_CHECK(down.batches.empty());
  auto reason = reader_exit();
  CAF_CHECK_EQUAL(static_cast<ec>(reason.code()), ec::source_config);
  auto text = describe_config_error(reason);
  CAF_CHECK(text.find("holds no GTID") != std::string::npos);
}

CAF_TEST(resume by file reads a position of another server by file) {
  auto from = start_of_file();
  from.server_id = 7;
  from.gtid = "0-7-42";
  start(from, false, 10000, plenty, resume_mode::position);
  CAF_CHECK(!started_by_gtid);
  CAF_CHECK_EQUAL(started_at.pos, 4u);
  CAF_CHECK_EQUAL(sent(), expected(start_of_file()));
}

CAF_TEST(resume by gtid reads a position of this server by gtid) {
  auto from = start_of_file();
  from.server_id = 1;
  from.gtid = "0-1-1";
  start(from, false, 10000, plenty, resume_mode::gtid);
  CAF_CHECK(started_by_gtid);
}

CAF_TEST(resume by gtid refuses a position without one) {
  start(start_of_file(), false, 10000, plenty, resume_mode::gtid);
  CAF_CHECK(down.batches.empty());
  CAF_CHECK_EQUAL(static_cast<ec>(reader_exit().code()), ec::config);
}

CAF_TEST_FIXTURE_SCOPE_END()

// -- snapshot chunks (design.md, "Snapshots") ---------------------------------

namespace {

/// A chunk of shop.customers with rows for `ids`, their values "r<id>".
snapshot_chunk customers_chunk(uint64_t id, std::vector<int> ids,
                               binlog::position high) {
  snapshot_chunk c;
  c.id = id;
  c.table = "shop.customers";
  c.high = std::move(high);
  c.after = {"6964"};
  for (auto i : ids) {
    record_ref ref;
    c.records.topics = {"binlog2kafka.shop.customers"};
    ref.key_offset = static_cast<uint32_t>(c.records.data.size());
    auto key = "{\"id\":" + std::to_string(i) + "}";
    c.records.data += key;
    ref.key_size = static_cast<uint32_t>(key.size());
    ref.value_offset = static_cast<uint32_t>(c.records.data.size());
    auto value = "r" + std::to_string(i);
    c.records.data += value;
    ref.value_size = static_cast<uint32_t>(value.size());
    ref.partition_key_offset = static_cast<uint32_t>(c.records.data.size());
    c.records.records.push_back(ref);
  }
  return c;
}

/// Where each transaction of the file ends, after the records it sent.
struct transaction_ends : binlog::record_sink {
  std::vector<std::pair<size_t, binlog::position>> ends; // record count, end
  size_t records = 0;
  void on_record(const binlog::row_record&) override {
    ++records;
  }
  void on_transaction_end(const binlog::position& next) override {
    ends.emplace_back(records, next);
  }
};

/// The transactions of `file` read from `start`.
transaction_ends transactions_of(const binlog_file& file,
                                 const binlog::position& start) {
  transaction_ends ends;
  fake_source src{file};
  auto encoder = binlog::record_encoder::make(make_settings()->records);
  CAF_REQUIRE(encoder);
  binlog::stream stream{src, std::move(*encoder), ends};
  CAF_REQUIRE(!stream.start(start, false, true));
  binlog::stream::event ev;
  while (!stream.next(ev)) {
  }
  return ends;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(reader_snapshot_tests, fixture)

CAF_TEST(a chunk goes out at its high watermark without the keys changed) {
  // One byte of credit: the reader stops after its first batch (the rows
  // event that inserts customers 1 and 2; its transaction then updates 1).
  start(start_of_file(), false, 10000, 1);
  CAF_REQUIRE_EQUAL(down.batches.size(), 1u);
  auto id = open_chunk("shop.customers");
  // The chunk read 1, 2, 5 and 6; the stream then updates 1 and deletes 2
  // (and inserts and deletes 3 and 4): the stream's rows win, 2 must not
  // come back. High watermark: the file's end.
  binlog::position end;
  fake_source{file}.current_end(end);
  self->send(aut, customers_chunk(id, {1, 2, 5, 6}, end));
  consume_messages();
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  auto sent_rows = answer();
  CAF_REQUIRE(sent_rows);
  CAF_CHECK_EQUAL(*sent_rows, 2u);
  auto all = sent();
  auto want = expected(start_of_file());
  CAF_REQUIRE_EQUAL(all.size(), want.size() + 2);
  // Everything the stream sent, then the chunk's rows at the end (its high
  // watermark), in key order.
  CAF_CHECK(std::equal(want.begin(), want.end(), all.begin()));
  CAF_CHECK_EQUAL(all[want.size()].key, "{\"id\":5}");
  CAF_CHECK_EQUAL(all[want.size()].value, "r5");
  CAF_CHECK_EQUAL(all[want.size() + 1].key, "{\"id\":6}");
  // The batch with the rows records the table's progress.
  auto& last = down.batches.back().end;
  CAF_CHECK_NOT_EQUAL(last.snapshot.find("\"shop.customers\":[\"6964\"]"),
                      std::string::npos);
}

CAF_TEST(a chunk waits for credit) {
  // One byte of credit: spent by the first batch.
  start(start_of_file(), false, 10000, 1);
  CAF_REQUIRE_EQUAL(down.batches.size(), 1u);
  auto id = open_chunk("shop.customers");
  // Its high watermark is where the stream stands: only the credit holds it.
  auto high = down.batches.front().end;
  high.skip_rows = 0;
  self->send(aut, customers_chunk(id, {7}, high));
  consume_messages();
  CAF_CHECK_EQUAL(down.batches.size(), 1u);
  CAF_CHECK(!answer());
  // Credit back: the chunk goes out (at the end of the transaction the
  // first batch began, never inside it), once.
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  CAF_CHECK(answer());
  auto all = sent();
  CAF_CHECK_EQUAL(std::count_if(all.begin(), all.end(),
                                [](const sent_record& r) {
                                  return r.value == "r7";
                                }),
                  1);
  // The end of the transaction the first batch began: the first one with
  // more records before it than that batch.
  auto ends = transactions_of(file, start_of_file());
  size_t first_batch = down.batches.front().records.size();
  size_t transaction_end = 0;
  for (auto& [count, end] : ends.ends)
    if (count > first_batch) {
      transaction_end = count;
      break;
    }
  CAF_REQUIRE_GREATER(transaction_end, 0u);
  CAF_REQUIRE_GREATER(all.size(), transaction_end);
  CAF_CHECK_EQUAL(all[transaction_end].value, "r7");
}

CAF_TEST(a change at the high watermark wins and one after it does not) {
  // Find the end of the transaction that deletes customer 2.
  auto ends = transactions_of(file, start_of_file());
  auto want = expected(start_of_file());
  size_t delete_2 = 0;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i].key == "{\"id\":2}"
        && want[i].value.find("\"op\":\"d\"") != std::string::npos)
      delete_2 = i;
  CAF_REQUIRE_GREATER(delete_2, 0u);
  binlog::position high;
  size_t records_before_high = 0;
  for (auto& [count, end] : ends.ends)
    if (count > delete_2) {
      high = end;
      records_before_high = count;
      break;
    }
  CAF_REQUIRE(!high.file.empty());
  start(start_of_file(), false, 10000, 1);
  auto id = open_chunk("shop.customers");
  // 2 is deleted at exactly the high watermark: it wins. 3 is inserted
  // after it: the chunk's row goes out before that insert, and stays.
  self->send(aut, customers_chunk(id, {2, 3}, high));
  consume_messages();
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  auto all = sent();
  CAF_REQUIRE_EQUAL(all.size(), want.size() + 1);
  // The transactions up to the high watermark, the chunk's row, the rest.
  CAF_CHECK(
    std::equal(want.begin(), want.begin() + records_before_high, all.begin()));
  CAF_CHECK_EQUAL(all[records_before_high].key, "{\"id\":3}");
  CAF_CHECK_EQUAL(all[records_before_high].value, "r3");
  CAF_CHECK(std::equal(want.begin() + records_before_high, want.end(),
                       all.begin() + records_before_high + 1));
}

CAF_TEST(two open chunks of a table go out in order and each drops its keys) {
  // Two lanes read key ranges of one table: both chunks are open at once,
  // the second's low watermark before the first went out.
  // Lanes still reading: the snapshot does not end with the first chunk,
  // and the reader reads only what its source has pending (here: all, in
  // batches of one rows event; one byte of credit stops it after the
  // first).
  start(start_of_file(), true, 1, 1);
  CAF_REQUIRE_EQUAL(down.batches.size(), 1u);
  reader_of(aut).lanes_running = 2;
  binlog::position end;
  fake_source{file}.current_end(end);
  auto first = open_chunk("shop.customers");
  self->send(aut, customers_chunk(first, {5}, end));
  consume_messages();
  auto second = open_chunk("shop.customers");
  CAF_REQUIRE_NOT_EQUAL(first, second);
  // The stream updates 1 after the second chunk began: the stream's row
  // wins over the chunk's.
  auto next = customers_chunk(second, {1, 6}, end);
  next.after = {"7000"};
  self->send(aut, std::move(next));
  consume_messages();
  CAF_CHECK(!answer());
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  auto first_rows = answer();
  auto second_rows = answer();
  CAF_REQUIRE(first_rows && second_rows);
  CAF_CHECK_EQUAL(*first_rows, 1u);
  CAF_CHECK_EQUAL(*second_rows, 1u);
  auto all = sent();
  auto want = expected(start_of_file());
  CAF_REQUIRE_EQUAL(all.size(), want.size() + 2);
  CAF_CHECK(std::equal(want.begin(), want.end(), all.begin()));
  // In the order they began; the progress is the second's.
  CAF_CHECK_EQUAL(all[want.size()].value, "r5");
  CAF_CHECK_EQUAL(all[want.size() + 1].value, "r6");
  auto& last = down.batches.back().end;
  CAF_CHECK_NOT_EQUAL(last.snapshot.find("\"shop.customers\":[\"7000\"]"),
                      std::string::npos);
}

CAF_TEST(a keyless table goes out at the position of its consistent read) {
  // shop.audit_log has no key: a row is inserted in the first transaction
  // and deleted later. Its consistent read matches the end of the first
  // transaction: the insert is in the read (not sent from the stream), the
  // delete comes after the read's rows.
  transaction_ends ends;
  {
    fake_source src{file};
    auto encoder = binlog::record_encoder::make(make_settings()->records);
    CAF_REQUIRE(encoder);
    binlog::stream stream{src, std::move(*encoder), ends};
    CAF_REQUIRE(!stream.start(start_of_file(), false, true));
    binlog::stream::event ev;
    while (!stream.next(ev)) {
    }
  }
  auto want = expected(start_of_file());
  auto is_audit = [](const sent_record& r) {
    return r.topic.find("audit_log") != std::string::npos;
  };
  auto insert = static_cast<size_t>(
    std::find_if(want.begin(), want.end(), is_audit) - want.begin());
  CAF_REQUIRE_LESS(insert, want.size());
  binlog::position at;
  size_t records_before = 0;
  for (auto& [count, end] : ends.ends)
    if (count > insert) {
      at = end;
      records_before = count;
      break;
    }
  CAF_REQUIRE(!at.file.empty());
  // No credit yet: nothing is read before the table is known to be read.
  start(start_of_file(), false, 10000, 0);
  reader_of(aut).keyless_pending.insert("shop.audit_log");
  auto id = open_chunk("shop.audit_log", true);
  // Until the read names its position the stream holds.
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  CAF_CHECK(sent().empty());
  snapshot_chunk piece;
  piece.id = id;
  piece.table = "shop.audit_log";
  piece.keyless = true;
  piece.table_done = true;
  piece.high = at;
  piece.records.topics = {"binlog2kafka.shop.audit_log"};
  record_ref ref;
  ref.value_offset = 0;
  piece.records.data = "r-audit";
  ref.value_size = 7;
  ref.partition_key_offset = 7;
  piece.records.data += "shop.audit_log";
  ref.partition_key_size = 14;
  piece.records.records.push_back(ref);
  self->send(aut, std::move(piece));
  consume_messages();
  self->send(aut, atom::credit_v, plenty);
  consume_messages();
  auto sent_rows = answer();
  CAF_REQUIRE(sent_rows);
  CAF_CHECK_EQUAL(*sent_rows, 1u);
  // Up to the read's position everything but the table's insert, then the
  // read's row, then the rest (the table's delete too).
  std::vector<sent_record> expect;
  for (size_t i = 0; i < records_before; ++i)
    if (i != insert)
      expect.push_back(want[i]);
  expect.push_back({"binlog2kafka.shop.audit_log", "", "r-audit", false});
  expect.insert(expect.end(), want.begin() + records_before, want.end());
  auto all = sent();
  CAF_REQUIRE_EQUAL(all.size(), expect.size());
  CAF_CHECK(std::equal(expect.begin(), expect.end(), all.begin()));
  // The read's row, then the delete: nothing of the table before them.
  auto first_audit = std::find_if(all.begin(), all.end(), is_audit);
  CAF_CHECK_EQUAL(first_audit - all.begin(),
                  static_cast<std::ptrdiff_t>(records_before - 1));
  CAF_CHECK_EQUAL(std::count_if(all.begin(), all.end(), is_audit), 2);
  CAF_CHECK(reader_of(aut).keyless_pending.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
