#include "app/kafka_sink.h"

#include <fstream>
#include <string_view>

#include "stream/kafka/mock_cluster.h"

namespace wf::app {
namespace {

// The user id of a generated line ("user_id":"..."), empty when it has none (a malformed
// line then goes to a partition of the producer's choosing).
std::string_view user_id_of(std::string_view line) {
  constexpr std::string_view kKey = "\"user_id\":\"";
  size_t at = line.find(kKey);
  if (at == std::string_view::npos) return {};
  size_t begin = at + kKey.size();
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

Result<std::unique_ptr<KafkaSink>> KafkaSink::open(const Args& args) {
  auto bootstrap = resolve_bootstrap(args.get_or("kafka", ""));
  if (!bootstrap.ok()) return bootstrap.take_error();
  std::vector<stream::kafka::Property> properties;
  if (auto file = args.get("kafka-config")) {
    auto read = stream::kafka::read_properties(*file);
    if (!read.ok()) return read.take_error();
    properties = std::move(*read);
  }
  auto producer = stream::kafka::Producer::open(*bootstrap, properties);
  if (!producer.ok()) return producer.take_error();
  auto sink = std::make_unique<KafkaSink>();
  sink->producer_ = std::move(*producer);
  sink->topic_ = args.get_or("topic", std::string(stream::kafka::kBronzeTopic));
  return sink;
}

Status KafkaSink::send_lines(std::string* buffer) {
  size_t pos = 0;
  for (;;) {
    size_t nl = buffer->find('\n', pos);
    if (nl == std::string::npos) break;
    std::string_view line(buffer->data() + pos, nl - pos);
    WF_RETURN_IF_ERROR(producer_->send(topic_, user_id_of(line), line));
    pos = nl + 1;
  }
  buffer->erase(0, pos);
  return Status::Ok();
}

Status KafkaSink::finish() { return producer_->flush(60'000); }

}  // namespace wf::app
