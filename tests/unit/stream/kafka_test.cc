// The Kafka pieces against librdkafka's mock cluster (real protocol on loopback).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "stream/kafka/mock_cluster.h"
#include "stream/kafka/producer.h"
#include "support/temp_dir.h"

namespace wf::stream::kafka {
namespace {

// Reads every record of `topic` from the start, until `want` records or 30 s.
std::vector<std::tuple<int32_t, std::string, std::string>> consume_all(const std::string& bootstrap,
                                                                       const std::string& topic,
                                                                       size_t want) {
  auto conf = make_conf(bootstrap, {{"group.id", "kafka-test"},
                                    {"auto.offset.reset", "earliest"},
                                    {"enable.auto.commit", "false"}});
  EXPECT_TRUE(conf.ok());
  auto rk = make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
  EXPECT_TRUE(rk.ok()) << rk.error().message;
  rd_kafka_poll_set_consumer(rk->get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  EXPECT_EQ(rd_kafka_subscribe(rk->get(), topics), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  std::vector<std::tuple<int32_t, std::string, std::string>> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.emplace_back(m->partition, std::string(static_cast<const char*>(m->key), m->key_len),
                       std::string(static_cast<const char*>(m->payload), m->len));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk->get());
  return out;
}

TEST(Kafka, ProducerDeliversKeyedRecordsToTheMockCluster) {
  auto cluster = MockCluster::start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  ASSERT_TRUE((*cluster)->create_walletflow_topics(4).ok());
  auto producer = Producer::open((*cluster)->bootstrap(), {});
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  constexpr int kRecords = 2000;
  for (int i = 0; i < kRecords; ++i) {
    std::string key = "U" + std::to_string(i % 37);
    std::string value = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_TRUE((*producer)->send(kBronzeTopic, key, value).ok());
  }
  ASSERT_TRUE((*producer)->flush(30'000).ok());
  EXPECT_EQ((*producer)->counts().sent, kRecords);
  EXPECT_EQ((*producer)->counts().delivered, kRecords);
  EXPECT_EQ((*producer)->counts().failed, 0);

  auto records = consume_all((*cluster)->bootstrap(), std::string(kBronzeTopic), kRecords);
  ASSERT_EQ(records.size(), static_cast<size_t>(kRecords));
  std::map<std::string, std::set<int32_t>> partitions_of;
  std::map<std::string, int> last_n;  // per key, values arrive in the order sent
  std::set<int32_t> used;
  for (const auto& [partition, key, value] : records) {
    partitions_of[key].insert(partition);
    used.insert(partition);
    int n = std::stoi(value.substr(5));
    auto it = last_n.find(key);
    if (it != last_n.end()) {
      EXPECT_GT(n, it->second) << key;
    }
    last_n[key] = n;
  }
  EXPECT_EQ(partitions_of.size(), 37u);
  for (const auto& [key, parts] : partitions_of) EXPECT_EQ(parts.size(), 1u) << key;
  EXPECT_GT(used.size(), 1u);  // keys spread over partitions
}

TEST(Kafka, ProducerReportsAnUnknownProperty) {
  auto producer = Producer::open("127.0.0.1:1", {{"no.such.property", "1"}});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.error().code, Errc::kConfig);
  EXPECT_NE(producer.error().message.find("no.such.property"), std::string::npos);
}

TEST(Kafka, ReadsPropertiesFiles) {
  wf::testing::TempDir dir;
  const std::string path = (dir.path() / "kafka.properties").string();
  std::ofstream(path) << "# a real cluster\nsecurity.protocol = SASL_SSL\n\n"
                         "sasl.mechanisms=PLAIN\n  sasl.username = svc \n";
  auto props = read_properties(path);
  ASSERT_TRUE(props.ok()) << props.error().message;
  ASSERT_EQ(props->size(), 3u);
  EXPECT_EQ((*props)[0].name, "security.protocol");
  EXPECT_EQ((*props)[0].value, "SASL_SSL");
  EXPECT_EQ((*props)[2].name, "sasl.username");
  EXPECT_EQ((*props)[2].value, "svc");
  std::ofstream(path) << "ok=1\nbroken line\n";
  auto bad = read_properties(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, path + ":2: want name=value");
  EXPECT_EQ(read_properties(path + ".missing").error().code, Errc::kIo);
}

}  // namespace
}  // namespace wf::stream::kafka

#include "stream/kafka/kafka_source.h"

namespace wf::stream::kafka {
namespace {

// Reads `source` to its end; returns records per position name and the last positions.
struct Drained {
  std::map<std::string, int> records;
  std::map<std::string, int64_t> positions;
  std::set<std::string> payloads;
};

Drained drain(KafkaSource& source) {
  Drained d;
  RecordBatch batch;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    EXPECT_TRUE(source.next(&batch, 100).ok());
    for (const Record& r : batch.records) {
      ++d.records[std::string(r.source)];
      d.payloads.insert(std::string(r.bytes));
    }
    for (const Position& p : batch.positions) d.positions[p.source] = p.next;
    if (batch.end_of_input) break;
  }
  return d;
}

TEST(KafkaSource, ReadsEveryPartitionAndResumesFromStoredPositions) {
  auto cluster = MockCluster::start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  ASSERT_TRUE((*cluster)->create_topic("bronze", 3).ok());
  auto producer = Producer::open((*cluster)->bootstrap(), {});
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(
        (*producer)->send("bronze", "U" + std::to_string(i % 17), "r" + std::to_string(i)).ok());
  }
  ASSERT_TRUE((*producer)->flush(30'000).ok());

  KafkaSourceOptions options;
  options.bootstrap = (*cluster)->bootstrap();
  options.topic = "bronze";
  options.group = "g1";
  options.stop_at_end = true;
  auto first = KafkaSource::open(options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ((*first)->name(), "kafka:bronze");
  ASSERT_EQ((*first)->position_names().size(), 3u);
  EXPECT_EQ((*first)->position_names()[2], "kafka:bronze/2");
  ASSERT_TRUE((*first)->start().ok());
  Drained all = drain(**first);
  EXPECT_EQ(all.payloads.size(), 300u);
  int total = 0;
  for (const auto& [name, n] : all.records) {
    total += n;
    EXPECT_EQ(all.positions.at(name), n) << name;  // offsets 0..n-1 read: resume at n
  }
  EXPECT_EQ(total, 300);
  KafkaSource::Metrics m = (*first)->metrics();
  EXPECT_EQ(m.fetched, 300);
  EXPECT_GE(m.rebalances, 1);
  EXPECT_EQ(m.lag.size(), 3u);  // every assigned partition, read to its end
  EXPECT_EQ((*first)->lag(), 0);
  first->reset();

  // A later run resumes each partition where the store says: nothing is read twice. The
  // group's own committed offsets are not used (they were never committed here). Each
  // run is its own group, so no join waits for an earlier member's session to end.
  options.group = "g2";
  auto second = KafkaSource::open(options);
  ASSERT_TRUE(second.ok());
  (*second)->set_stored_positions(all.positions);
  ASSERT_TRUE((*second)->start().ok());
  Drained again = drain(**second);
  EXPECT_TRUE(again.records.empty());
  second->reset();  // leaves the group, so the next member is not kept waiting for it

  // Positions part-way: only the rest of those partitions comes.
  std::map<std::string, int64_t> partway = all.positions;
  partway["kafka:bronze/0"] -= 5;
  options.group = "g3";
  auto third = KafkaSource::open(options);
  ASSERT_TRUE(third.ok());
  (*third)->set_stored_positions(partway);
  ASSERT_TRUE((*third)->start().ok());
  Drained rest = drain(**third);
  ASSERT_EQ(rest.records.size(), 1u);
  EXPECT_EQ(rest.records.at("kafka:bronze/0"), 5);
}

}  // namespace
}  // namespace wf::stream::kafka

namespace wf::stream::kafka {
namespace {

// Kafka protocol API keys (rdkafka_proto.h is not installed).
constexpr int16_t kProduceApi = 0;
constexpr int16_t kFetchApi = 1;

TEST(KafkaFaults, RetriableBrokerErrorsAndLeaderChangesLoseAndDuplicateNothing) {
  auto cluster = MockCluster::start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  ASSERT_TRUE((*cluster)->create_topic("bronze", 3, 3).ok());
  auto producer = Producer::open((*cluster)->bootstrap(), {});
  ASSERT_TRUE(producer.ok());
  // Produce requests fail (leader moved, timeouts) and a partition changes leader while
  // records are in flight: the idempotent producer retries without duplicating.
  rd_kafka_mock_push_request_errors(
      (*cluster)->raw(), kProduceApi, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
  for (int i = 0; i < 600; ++i) {
    if (i == 300) rd_kafka_mock_partition_set_leader((*cluster)->raw(), "bronze", 0, 2);
    ASSERT_TRUE(
        (*producer)->send("bronze", "U" + std::to_string(i % 29), "r" + std::to_string(i)).ok());
  }
  ASSERT_TRUE((*producer)->flush(60'000).ok());
  EXPECT_EQ((*producer)->counts().delivered, 600);
  EXPECT_EQ((*producer)->counts().failed, 0);

  // Fetches fail too, and another leader moves, while the source reads.
  rd_kafka_mock_push_request_errors(
      (*cluster)->raw(), kFetchApi, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  rd_kafka_mock_partition_set_leader((*cluster)->raw(), "bronze", 1, 3);
  KafkaSourceOptions options;
  options.bootstrap = (*cluster)->bootstrap();
  options.topic = "bronze";
  options.group = "faults";
  options.stop_at_end = true;
  auto source = KafkaSource::open(options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  ASSERT_TRUE((*source)->start().ok());
  std::map<std::string, int> seen;
  RecordBatch batch;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE((*source)->next(&batch, 64).ok());
    for (const Record& r : batch.records) ++seen[std::string(r.bytes)];
    if (batch.end_of_input) break;
  }
  EXPECT_EQ(seen.size(), 600u);                                  // every record...
  for (const auto& [value, n] : seen) EXPECT_EQ(n, 1) << value;  // ...exactly once
}

}  // namespace
}  // namespace wf::stream::kafka
