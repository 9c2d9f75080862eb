#include "app/kafka_sink.h"

#include <fstream>
#include <map>
#include <string_view>

#include "stream/kafka/kafka_source.h"
#include "stream/kafka/mock_cluster.h"

namespace wf::app {
namespace {

// The string value of `"field":"` in a generated line, empty when it has none (a malformed
// line then goes to a partition of the producer's choosing).
std::string_view value_of(std::string_view line, std::string_view field_quote) {
  size_t at = line.find(field_quote);
  if (at == std::string_view::npos) return {};
  size_t begin = at + field_quote.size();
  size_t end = line.find('"', begin);
  return end == std::string_view::npos ? std::string_view() : line.substr(begin, end - begin);
}

}  // namespace

Result<std::string> resolve_bootstrap(const std::string& value) {
  if (value.empty() || value[0] != '@') return value;
  std::ifstream in(value.substr(1));
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    return make_error(Errc::kIo, "cannot read bootstrap servers from '" + value.substr(1) + "'");
  }
  return line;
}

Result<std::vector<stream::kafka::Property>> kafka_config_option(const Args& args) {
  if (auto file = args.get("kafka-config")) return stream::kafka::read_properties(*file);
  return std::vector<stream::kafka::Property>{};
}

Result<std::unique_ptr<stream::kafka::Producer>> open_producer(const std::string& brokers,
                                                               const Args& args) {
  auto bootstrap = resolve_bootstrap(brokers);
  if (!bootstrap.ok()) return bootstrap.take_error();
  auto properties = kafka_config_option(args);
  if (!properties.ok()) return properties.take_error();
  return stream::kafka::Producer::open(*bootstrap, *properties);
}

Result<std::unique_ptr<KafkaSink>> KafkaSink::open(const Args& args, std::string_view default_topic,
                                                   std::string_view key_field) {
  auto producer = open_producer(args.get_or("kafka", ""), args);
  if (!producer.ok()) return producer.take_error();
  auto sink = std::make_unique<KafkaSink>();
  sink->producer_ = std::move(*producer);
  sink->topic_ = args.get_or("topic", std::string(default_topic));
  sink->key_quote_.append("\"").append(key_field).append("\":\"");
  return sink;
}

Status KafkaSink::send_lines(std::string* buffer) {
  size_t pos = 0;
  for (;;) {
    size_t nl = buffer->find('\n', pos);
    if (nl == std::string::npos) break;
    std::string_view line(buffer->data() + pos, nl - pos);
    WF_RETURN_IF_ERROR(producer_->send(topic_, value_of(line, key_quote_), line));
    pos = nl + 1;
  }
  buffer->erase(0, pos);
  return Status::Ok();
}

Status KafkaSink::finish() { return producer_->flush(60'000); }

Result<KafkaUrl> parse_kafka_url(const std::string& url) {
  constexpr std::string_view kScheme = "kafka://";
  auto bad = [&](const std::string& why) {
    return make_error(
        Errc::kInvalidArgument,
        "--source '" + url + "': " + why + " (want kafka://BROKERS/TOPIC?group=NAME[&until=end])");
  };
  std::string rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return bad("no brokers or topic");
  KafkaUrl out;
  out.brokers = rest.substr(0, slash);
  std::string path = rest.substr(slash + 1);
  size_t q = path.find('?');
  out.topic = path.substr(0, q);
  if (out.topic.empty()) return bad("no topic");
  if (q != std::string::npos) {
    std::string query = path.substr(q + 1);
    size_t pos = 0;
    while (pos <= query.size()) {
      size_t amp = query.find('&', pos);
      if (amp == std::string::npos) amp = query.size();
      std::string kv = query.substr(pos, amp - pos);
      size_t eq = kv.find('=');
      std::string key = kv.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (key == "group" && !value.empty()) {
        out.group = value;
      } else if (key == "until" && value == "end") {
        out.until_end = true;
      } else if (!kv.empty()) {
        return bad("unknown parameter '" + kv + "'");
      }
      pos = amp + 1;
    }
  }
  return out;
}

Result<std::unique_ptr<stream::Source>> open_kafka_source(const KafkaUrl& url, const Args& args) {
  auto bootstrap = resolve_bootstrap(url.brokers);
  if (!bootstrap.ok()) return bootstrap.take_error();
  stream::kafka::KafkaSourceOptions options;
  options.bootstrap = *bootstrap;
  options.topic = url.topic;
  options.group = url.group;
  options.stop_at_end = url.until_end;
  auto properties = kafka_config_option(args);
  if (!properties.ok()) return properties.take_error();
  options.properties = std::move(*properties);
  auto source = stream::kafka::KafkaSource::open(std::move(options));
  if (!source.ok()) return source.take_error();
  // Positions come from the store as partitions are assigned (the Runner listens).
  WF_RETURN_IF_ERROR((*source)->start());
  return std::unique_ptr<stream::Source>(std::move(*source));
}

}  // namespace wf::app
