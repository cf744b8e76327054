#define CAF_SUITE actors.reader_node

// The reader node on the database's side: a launch from the pipeline's
// supervisor starts a reader with the node's own settings and answers with
// it; a request for another pipeline, or one it cannot read, starts none.

#include "actors/reader_node.hpp"

#include <type_traits>
#include <vector>

#include "actors/status.hpp"
#include "tests/unit/actors/mocks.hpp"
#include "tests/unit/fixtures.hpp"

using namespace b2k;
using namespace b2k::test;

namespace {

// What a launch may carry: no address, user or password of the source.
static_assert(
  std::is_same<
    reader_node_actor,
    caf::typed_actor<caf::replies_to<
      atom::launch, std::string, binlog::position, uint64_t, watcher_actor,
      producer_actor, status_actor>::with<reader_actor>>>::value,
  "a launch names the pipeline and where to start, never the source");

struct fixture : deterministic_fixture {
  settings_ptr node_settings = make_settings([](settings& s) {
    s.name = "shop";
    s.source.connection.host = "db.internal";
    s.source.connection.port = 3307;
    s.source.connection.user = "cdc";
    s.source.connection.password = "node-only";
  });
  // The pipeline's actors: strict mocks, so the node must send them nothing.
  watcher_mock watcher_calls;
  producer_mock producer_calls;
  reader_mock reader_calls;
  watcher_actor watcher;
  producer_actor producer;
  status_actor status;
  // What the node asked the reader factory for.
  std::vector<reader_config> configs;
  std::vector<watcher_actor> watchers_given;
  std::vector<producer_actor> producers_given;
  std::vector<reader_actor> readers;
  int readers_exited = 0;
  reader_node_actor aut;

  fixture() {
    reader_calls.exited = [this] { ++readers_exited; };
    watcher = sys.spawn(mock_watcher, &watcher_calls);
    producer = sys.spawn(mock_producer, &producer_calls);
    status = sys.spawn(b2k::status, std::string{"shop"});
    auto spawn = [this](caf::actor_system& s, const reader_config& cfg,
                        watcher_actor w, producer_actor p) {
      configs.push_back(cfg);
      watchers_given.push_back(std::move(w));
      producers_given.push_back(std::move(p));
      readers.push_back(s.spawn(mock_reader, &reader_calls));
      return readers.back();
    };
    aut = sys.spawn(reader_node, node_settings, reader_factory{spawn});
    sched.run();
  }

  ~fixture() override {
    for (auto& r : readers)
      self->send_exit(r, caf::exit_reason::user_shutdown);
    self->send_exit(aut, caf::exit_reason::user_shutdown);
    self->send_exit(watcher, caf::exit_reason::user_shutdown);
    self->send_exit(producer, caf::exit_reason::user_shutdown);
    self->send_exit(status, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// What the supervisor sends, and the node's answer.
  caf::expected<reader_actor> launch(std::string name, binlog::position start,
                                     uint64_t epoch) {
    auto answer = self->request(aut, caf::infinite, atom::launch_v,
                                std::move(name), std::move(start), epoch,
                                watcher, producer, status);
    sched.run();
    caf::expected<reader_actor> out = caf::make_error(caf::sec::runtime_error,
                                                      "no answer");
    answer.receive([&](reader_actor& r) { out = std::move(r); },
                   [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  uint64_t launched() {
    return deref<
             caf::stateful_actor<reader_node_state, reader_node_actor::base>>(
             aut)
      .state.launched;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(reader_node_tests, fixture)

CAF_TEST(a launch answers with a reader for the pipeline) {
  auto started = launch("shop", at(100), 3);
  CAF_REQUIRE(started);
  CAF_REQUIRE_EQUAL(readers.size(), 1u);
  CAF_CHECK(*started == readers[0]);
  auto& cfg = configs[0];
  CAF_CHECK_EQUAL(cfg.start, at(100));
  CAF_CHECK_EQUAL(cfg.epoch, 3u);
  CAF_CHECK(cfg.status == status);
  CAF_CHECK(watchers_given[0] == watcher);
  CAF_CHECK(producers_given[0] == producer);
  CAF_CHECK_EQUAL(launched(), 1u);
}

CAF_TEST(the reader reads the source with the settings of the node) {
  CAF_REQUIRE(launch("shop", binlog::position{}, 1));
  CAF_REQUIRE_EQUAL(configs.size(), 1u);
  auto& cfg = configs[0];
  // The very settings of the node, not a copy from the pipeline.
  CAF_CHECK(cfg.settings == node_settings);
  auto& conn = cfg.settings->source.connection;
  CAF_CHECK_EQUAL(conn.host, "db.internal");
  CAF_CHECK_EQUAL(conn.port, 3307u);
  CAF_CHECK_EQUAL(conn.password, "node-only");
  // No start: the reader asks the watcher where to begin.
  CAF_CHECK(cfg.start.empty());
  // Nothing the default open_source would not do: the server of the
  // node's settings.
  CAF_CHECK(!cfg.open_source);
}

CAF_TEST(a second launch starts another reader and leaves the first) {
  auto first = launch("shop", at(100), 1);
  CAF_REQUIRE(first);
  // A restarted pipeline asks again, with the next epoch; stopping the old
  // reader is its supervisor's business.
  auto second = launch("shop", at(250), 2);
  CAF_REQUIRE(second);
  CAF_CHECK(*first != *second);
  CAF_REQUIRE_EQUAL(configs.size(), 2u);
  CAF_CHECK_EQUAL(configs[1].start, at(250));
  CAF_CHECK_EQUAL(configs[1].epoch, 2u);
  CAF_CHECK_EQUAL(launched(), 2u);
  CAF_CHECK_EQUAL(readers_exited, 0);
}

CAF_TEST(a launch for another pipeline starts no reader) {
  auto started = launch("warehouse", at(100), 1);
  CAF_REQUIRE(!started);
  CAF_CHECK_EQUAL(static_cast<ec>(started.error().code()), ec::config);
  auto text = sys.render(started.error());
  CAF_CHECK_NOT_EQUAL(text.find("serves 'shop', not 'warehouse'"),
                      std::string::npos);
  CAF_CHECK(configs.empty());
  CAF_CHECK_EQUAL(launched(), 0u);
  // The node still serves its own pipeline.
  CAF_CHECK(launch("shop", at(100), 1));
}

CAF_TEST(a request the node does not know is refused and changes nothing) {
  // What an older or foreign pipeline could send through the middleman.
  auto dynamic = caf::actor_cast<caf::actor>(aut);
  auto answer = self->request(dynamic, caf::infinite, atom::launch_v,
                              std::string{"shop"});
  sched.run();
  caf::error err;
  answer.receive([](reader_actor&) { CAF_FAIL("answered a bad launch"); },
                 [&](caf::error& e) { err = std::move(e); });
  CAF_CHECK(err == caf::sec::unexpected_message);
  CAF_CHECK(configs.empty());
  CAF_CHECK(launch("shop", at(100), 1));
}

CAF_TEST_FIXTURE_SCOPE_END()
