// RAII for librdkafka handles and configuration; the only headers outside this folder
// that name librdkafka types are in it. Errors from librdkafka become Result errors that
// say what was being configured.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wf::stream::kafka {

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// A librdkafka property (name=value), e.g. from --kafka-config FILE.
struct Property {
  std::string name;
  std::string value;
};

// Reads a librdkafka properties file: `name=value` lines, `#` comments, blank lines.
// Secrets (sasl.password, ssl keys) belong in such a file or the environment, never on
// the command line. kIo / kConfig naming the line.
Result<std::vector<Property>> read_properties(const std::string& path);

// A configuration with `bootstrap` as bootstrap.servers, then `properties` in order.
Result<Conf> make_conf(std::string_view bootstrap, const std::vector<Property>& properties);

// Sets one property; kConfig with librdkafka's reason.
Status set(rd_kafka_conf_t* conf, std::string_view name, std::string_view value);

// Creates a client of `type`, taking ownership of `conf` (also on failure).
Result<Handle> make_handle(rd_kafka_type_t type, Conf conf);

}  // namespace wf::stream::kafka
