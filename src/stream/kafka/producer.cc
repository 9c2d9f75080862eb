#include "stream/kafka/producer.h"

namespace wf::stream::kafka {

Result<std::unique_ptr<Producer>> Producer::open(std::string_view bootstrap,
                                                 const std::vector<Property>& properties) {
  std::unique_ptr<Producer> p(new Producer());
  auto conf = make_conf(bootstrap, {});
  if (!conf.ok()) return conf.take_error();
  // Idempotence: acks=all, bounded in-flight requests, sequence numbers, so retries never
  // duplicate or reorder a partition's records.
  WF_RETURN_IF_ERROR(set(conf->get(), "enable.idempotence", "true"));
  WF_RETURN_IF_ERROR(set(conf->get(), "linger.ms", "5"));
  WF_RETURN_IF_ERROR(set(conf->get(), "batch.num.messages", "10000"));
  WF_RETURN_IF_ERROR(set(conf->get(), "queue.buffering.max.messages", "1000000"));
  for (const Property& prop : properties)
    WF_RETURN_IF_ERROR(set(conf->get(), prop.name, prop.value));
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk.ok()) return rk.take_error();
  p->rk_ = std::move(*rk);
  return p;
}

Producer::~Producer() {
  if (rk_) rd_kafka_flush(rk_.get(), 0);
}

void Producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->counts_.delivered;
    return;
  }
  ++self->counts_.failed;
  if (self->first_error_.empty()) self->first_error_ = rd_kafka_err2str(msg->err);
}

Status Producer::send(std::string_view topic, std::string_view key, std::string_view value) {
  return send(topic, key, value, {});
}

Status Producer::send(std::string_view topic, std::string_view key, std::string_view value,
                      const std::vector<std::pair<std::string_view, std::string_view>>& headers) {
  std::string t(topic);
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& [name, v] : headers) {
        rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(t.c_str()),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
      rd_kafka_headers_destroy(hdrs);  // the message owns them only once it is queued
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return make_error(Errc::kIo, "Kafka produce to '" + t + "': " + rd_kafka_err2str(err));
    }
    rd_kafka_poll(rk_.get(), 10);  // let deliveries drain the queue
  }
  ++counts_.sent;
  if ((counts_.sent & 1023) == 0) rd_kafka_poll(rk_.get(), 0);
  return Status::Ok();
}

Status Producer::flush(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), timeout_ms);
  rd_kafka_poll(rk_.get(), 0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::kIo, std::to_string(rd_kafka_outq_len(rk_.get())) +
                                     " Kafka records still undelivered after " +
                                     std::to_string(timeout_ms) + " ms");
  }
  if (counts_.failed > 0) {
    return make_error(Errc::kIo, std::to_string(counts_.failed) +
                                     " Kafka records failed; first: " + first_error_);
  }
  return Status::Ok();
}

}  // namespace wf::stream::kafka
