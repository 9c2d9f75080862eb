#include "stream/kafka/kafka_source.h"

#include <algorithm>
#include <string_view>

#include "core/log.h"

namespace wf::stream::kafka {

Result<std::unique_ptr<KafkaSource>> KafkaSource::open(KafkaSourceOptions options) {
  std::unique_ptr<KafkaSource> s(new KafkaSource());
  s->options_ = std::move(options);
  s->name_ = "kafka:" + s->options_.topic;
  auto conf = make_conf(s->options_.bootstrap, {});
  if (!conf.ok()) return conf.take_error();
  rd_kafka_conf_t* c = conf->get();
  WF_RETURN_IF_ERROR(set(c, "group.id", s->options_.group));
  // Offsets live in the store; Kafka's are only updated after the store commits.
  WF_RETURN_IF_ERROR(set(c, "enable.auto.commit", "false"));
  WF_RETURN_IF_ERROR(set(c, "enable.auto.offset.store", "false"));
  WF_RETURN_IF_ERROR(set(c, "enable.partition.eof", "true"));
  WF_RETURN_IF_ERROR(set(c, "auto.offset.reset", "earliest"));
  // Latency: a fetch returns within 20 ms even when a partition is quiet (brokers answer
  // at once when data is there; the mock cluster waits the whole time).
  WF_RETURN_IF_ERROR(set(c, "fetch.wait.max.ms", "20"));
  for (const Property& p : s->options_.properties) WF_RETURN_IF_ERROR(set(c, p.name, p.value));
  rd_kafka_conf_set_rebalance_cb(c, &KafkaSource::on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(c, &KafkaSource::on_offset_commit);
  rd_kafka_conf_set_opaque(c, s.get());
  auto rk = make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk.ok()) return rk.take_error();
  s->rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(s->rk_.get());

  // The topic's partitions, for position names.
  rd_kafka_topic_t* t = rd_kafka_topic_new(s->rk_.get(), s->options_.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(s->rk_.get(), 0, t, &md, s->options_.metadata_timeout_ms);
  rd_kafka_topic_destroy(t);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::kIo,
                      "Kafka metadata for '" + s->options_.topic + "': " + rd_kafka_err2str(err));
  }
  int partitions = 0;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (s->options_.topic == md->topics[i].topic) {
      partitions = md->topics[i].partition_cnt;
      topic_err = md->topics[i].err;
    }
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || partitions == 0) {
    return make_error(Errc::kNotFound,
                      "Kafka topic '" + s->options_.topic + "': " + rd_kafka_err2str(topic_err));
  }
  for (int p = 0; p < partitions; ++p) {
    s->position_names_.push_back(s->name_ + "/" + std::to_string(p));
  }
  s->next_ = std::make_unique<std::atomic<int64_t>[]>(static_cast<size_t>(partitions));
  s->owned_ = std::make_unique<std::atomic<bool>[]>(static_cast<size_t>(partitions));
  for (int p = 0; p < partitions; ++p) {
    s->next_[static_cast<size_t>(p)].store(-1);
    s->owned_[static_cast<size_t>(p)].store(false);
  }
  return s;
}

KafkaSource::~KafkaSource() {
  listener_ = nullptr;  // closing revokes; whoever listened has committed already
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

void KafkaSource::set_stored_positions(const std::map<std::string, int64_t>& positions) {
  stored_ = positions;
}

Status KafkaSource::start() {
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::kIo, std::string("Kafka subscribe: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

void KafkaSource::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  self->rebalances_.fetch_add(1);
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  std::vector<int32_t> ours;  // the partitions of our topic in the list
  std::vector<std::string> names;
  for (int i = 0; i < partitions->cnt; ++i) {
    int32_t p = partitions->elems[i].partition;
    if (p >= 0 && static_cast<size_t>(p) < self->position_names_.size() &&
        self->options_.topic == partitions->elems[i].topic) {
      ours.push_back(p);
      names.push_back(self->position_names_[static_cast<size_t>(p)]);
    }
  }
  std::string list;
  for (int32_t p : ours) list += (list.empty() ? "" : ",") + std::to_string(p);
  const bool assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  log::info("kafka: " + std::string(assign ? "assigned" : "revoked") + " " +
            std::to_string(ours.size()) + " partition(s) of " + self->options_.topic + " [" + list +
            "] in group " + self->options_.group);
  if (assign) {
    self->assign(rk, partitions, ours, names, cooperative);
  } else {
    self->revoke(rk, partitions, ours, names, cooperative);
  }
  self->assigned_count_.store(static_cast<int>(self->assigned_.size()));
}

void KafkaSource::revoke(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions,
                         const std::vector<int32_t>& ours, const std::vector<std::string>& names,
                         bool cooperative) {
  // Lost (our session expired): the partitions may already be someone else's, so what
  // we hold is not to be trusted; the store refuses our stale batches (positions).
  const bool lost = rd_kafka_assignment_lost(rk) != 0;
  if (listener_ != nullptr && !ours.empty() && callback_error_.code == Errc::kOk) {
    if (Status s = listener_->on_revoke(names); !s.ok()) callback_error_ = s.error();
  }
  for (int32_t p : ours) {
    owned_[static_cast<size_t>(p)].store(false);
    assigned_.erase(p);
    at_end_.erase(p);
    dropped_.insert(p);  // records read but not handed out: the next owner reads them
    // Eager: every rebalance revokes all, then assigns; a partition assigned right back
    // was nobody else's meanwhile and its state stays good. Cooperative: only partitions
    // that move are revoked.
    if (cooperative || lost) held_.erase(p);
  }
  if (lost) held_.clear();
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions)) {
      rd_kafka_error_destroy(e);
    }
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

void KafkaSource::assign(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions,
                         const std::vector<int32_t>& ours, const std::vector<std::string>& names,
                         bool cooperative) {
  bool fresh = false;
  for (int32_t p : ours) fresh = fresh || held_.count(p) == 0;
  std::vector<int64_t> resume(ours.size(), 0);
  if (listener_ != nullptr && !ours.empty()) {
    if (callback_error_.code == Errc::kOk) {
      if (Status s = listener_->on_assign(names, fresh, &resume); !s.ok()) {
        callback_error_ = s.error();
      }
    }
  } else {
    for (size_t i = 0; i < ours.size(); ++i) {
      auto it = stored_.find(names[i]);
      if (it != stored_.end()) resume[i] = it->second;
    }
  }
  if (callback_error_.code != Errc::kOk) {
    // The run is failing: take nothing (the group gives the partitions to others).
    if (!cooperative) rd_kafka_assign(rk, nullptr);
    return;
  }
  if (!cooperative) held_.clear();
  for (size_t i = 0; i < ours.size(); ++i) {
    int32_t p = ours[i];
    for (int j = 0; j < partitions->cnt; ++j) {
      if (partitions->elems[j].partition == p) {
        partitions->elems[j].offset = resume[i] > 0 ? resume[i] : RD_KAFKA_OFFSET_BEGINNING;
      }
    }
    next_[static_cast<size_t>(p)].store(resume[i] > 0 ? resume[i] : -1);
    owned_[static_cast<size_t>(p)].store(true);
    assigned_.insert(p);
    held_.insert(p);
    at_end_.erase(p);
  }
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions)) {
      callback_error_ = Error{Errc::kIo, std::string("Kafka assign: ") + rd_kafka_error_string(e)};
      rd_kafka_error_destroy(e);
    }
  } else {
    rd_kafka_assign(rk, partitions);
  }
}

Status KafkaSource::next(RecordBatch* out, size_t max_records) {
  out->records.clear();
  out->positions.clear();
  out->end_of_input = false;
  buffer_.clear();
  struct Kept {
    size_t at, len;
    int64_t offset;
    int32_t partition;
    int64_t timestamp_ms;
  };
  std::vector<Kept> kept;
  struct Moved {
    int64_t from, next;
  };
  std::map<int32_t, Moved> moved;  // partition -> where it stood, where it goes
  int timeout_ms = 100;
  while (kept.size() < max_records) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), timeout_ms);
    if (!dropped_.empty()) {  // a rebalance ran inside the poll
      std::erase_if(kept, [&](const Kept& k) { return dropped_.count(k.partition) > 0; });
      for (int32_t p : dropped_) moved.erase(p);
      dropped_.clear();
    }
    if (callback_error_.code != Errc::kOk) {
      if (m != nullptr) rd_kafka_message_destroy(m);
      return callback_error_;
    }
    if (m == nullptr) break;
    timeout_ms = 0;  // take what is already here, then hand the batch over
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end_.insert(m->partition);
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string what = rd_kafka_message_errstr(m);
      bool fatal = m->err == RD_KAFKA_RESP_ERR__FATAL;
      rd_kafka_message_destroy(m);
      if (fatal) return make_error(Errc::kIo, "Kafka consumer: " + what);
      continue;  // transient: librdkafka retries
    } else if (m->partition >= 0 && static_cast<size_t>(m->partition) < position_names_.size() &&
               assigned_.count(m->partition) > 0) {
      at_end_.erase(m->partition);
      rd_kafka_timestamp_type_t type;
      int64_t ts = rd_kafka_message_timestamp(m, &type);
      kept.push_back({buffer_.size(), m->len, m->offset, m->partition, ts > 0 ? ts : 0});
      buffer_.append(static_cast<const char*>(m->payload), m->len);
      buffer_.append(kRecordPadding, ' ');
      auto [it, first] = moved.try_emplace(m->partition, Moved{0, 0});
      if (first) it->second.from = std::max<int64_t>(next_[static_cast<size_t>(m->partition)], 0);
      it->second.next = m->offset + 1;
    }
    rd_kafka_message_destroy(m);
  }
  for (const Kept& k : kept) {
    out->records.emplace_back(std::string_view(buffer_.data() + k.at, k.len), k.offset, false,
                              position_names_[static_cast<size_t>(k.partition)]);
    out->records.back().timestamp_ms = k.timestamp_ms;
  }
  fetched_.fetch_add(static_cast<int64_t>(kept.size()));
  for (const auto& [partition, m] : moved) {
    next_[static_cast<size_t>(partition)].store(m.next);
    out->positions.push_back({position_names_[static_cast<size_t>(partition)], m.next, m.from});
  }
  if (options_.stop_at_end && kept.empty() && !assigned_.empty()) {
    bool all = true;
    for (int32_t p : assigned_) all = all && at_end_.count(p) > 0;
    out->end_of_input = all;
  }
  return Status::Ok();
}

int32_t KafkaSource::partition_of(const std::string& position_name) const {
  for (size_t p = 0; p < position_names_.size(); ++p) {
    if (position_names_[p] == position_name) return static_cast<int32_t>(p);
  }
  return -1;
}

void KafkaSource::on_committed(const std::vector<Position>& positions) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(positions.size()));
  for (const Position& p : positions) {
    int32_t partition = partition_of(p.source);
    if (partition < 0) continue;
    rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), partition)->offset = p.next;
  }
  if (list->cnt > 0) {
    commits_.fetch_add(1);
    if (rd_kafka_commit(rk_.get(), list, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      commit_errors_.fetch_add(1);  // Kafka's offsets are informational; the store's rule
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
}

void KafkaSource::on_offset_commit(rd_kafka_t*, rd_kafka_resp_err_t err,
                                   rd_kafka_topic_partition_list_t*, void* opaque) {
  // The broker's answer to an asynchronous commit (served by the consumer's poll).
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    static_cast<KafkaSource*>(opaque)->commit_errors_.fetch_add(1);
  }
}

KafkaSource::Metrics KafkaSource::metrics() const {
  Metrics m;
  m.rebalances = rebalances_.load();
  m.fetched = fetched_.load();
  m.commits = commits_.load();
  m.commit_errors = commit_errors_.load();
  for (size_t p = 0; p < position_names_.size(); ++p) {
    if (!owned_[p].load()) continue;
    int64_t low = 0, high = 0;
    // Cached from fetch responses: no broker round trip.
    if (rd_kafka_get_watermark_offsets(rk_.get(), options_.topic.c_str(), static_cast<int32_t>(p),
                                       &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    int64_t next = next_[p].load();
    if (next < 0) next = low;
    m.lag.emplace_back(static_cast<int32_t>(p), high > next ? high - next : 0);
  }
  return m;
}

int64_t KafkaSource::lag() const {
  int64_t total = 0;
  for (const auto& [partition, behind] : metrics().lag) total += behind;
  return total;
}

}  // namespace wf::stream::kafka
