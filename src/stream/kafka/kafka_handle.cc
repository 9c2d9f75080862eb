#include "stream/kafka/kafka_handle.h"

#include <fstream>
#include <string>

#include "core/log.h"

namespace wf::stream::kafka {
namespace {

// librdkafka's log lines go to walletflow's log (text or JSON), levels mapped from syslog.
void forward_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  std::string_view text(message);
  log::Level l = level <= 3   ? log::Level::kError
                 : level == 4 ? log::Level::kWarn
                 : level <= 6 ? log::Level::kInfo
                              : log::Level::kDebug;
  // Kafka's committed offsets only mirror the store's; a commit refused while the group
  // rebalances is expected and harmless (the next one carries the same positions).
  if (std::string_view(facility) == "COMMITFAIL" &&
      text.find("rebalance in progress") != std::string_view::npos) {
    l = log::Level::kDebug;
  }
  log::write(l, std::string("kafka ") + rd_kafka_name(rk) + " " + facility + ": " + message);
}

}  // namespace

Result<std::vector<Property>> read_properties(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(Errc::kIo, "cannot open Kafka config '" + path + "'");
  std::vector<Property> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    size_t eq = line.find('=', b);
    if (eq == std::string::npos) {
      return make_error(Errc::kConfig, path + ":" + std::to_string(number) + ": want name=value");
    }
    size_t name_end = line.find_last_not_of(" \t", eq - 1);
    size_t value_begin = line.find_first_not_of(" \t", eq + 1);
    size_t value_end = line.find_last_not_of(" \t\r");
    Property p;
    p.name = line.substr(b, name_end - b + 1);
    if (value_begin != std::string::npos && value_begin <= value_end) {
      p.value = line.substr(value_begin, value_end - value_begin + 1);
    }
    out.push_back(std::move(p));
  }
  return out;
}

Status set(rd_kafka_conf_t* conf, std::string_view name, std::string_view value) {
  char reason[512];
  std::string n(name), v(value);
  if (rd_kafka_conf_set(conf, n.c_str(), v.c_str(), reason, sizeof reason) != RD_KAFKA_CONF_OK) {
    return make_error(Errc::kConfig, "Kafka property '" + n + "': " + reason);
  }
  return Status::Ok();
}

Result<Conf> make_conf(std::string_view bootstrap, const std::vector<Property>& properties) {
  Conf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &forward_log);
  if (!bootstrap.empty()) WF_RETURN_IF_ERROR(set(conf.get(), "bootstrap.servers", bootstrap));
  for (const Property& p : properties) WF_RETURN_IF_ERROR(set(conf.get(), p.name, p.value));
  return conf;
}

Result<Handle> make_handle(rd_kafka_type_t type, Conf conf) {
  char reason[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), reason, sizeof reason);
  if (rk == nullptr) return make_error(Errc::kConfig, std::string("Kafka client: ") + reason);
  (void)conf.release();  // rd_kafka_new owns it now
  return Handle(rk);
}

}  // namespace wf::stream::kafka
