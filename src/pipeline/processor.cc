#include "pipeline/processor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "core/cycle_timer.h"
#include "pipeline/enrich.h"

namespace wf::pipeline {
namespace {

// How far an event may be ahead of both the newest accepted event and the wall clock.
constexpr int64_t kMaxAheadUs = kMicrosPerDay;

}  // namespace

Processor::Processor(const rules::RulePack& pack, const PiiProtector& pii, const Clock& clock,
                     size_t max_event_bytes)
    // Not owned: the caller keeps `pack` alive (aliasing shared_ptr with no owner).
    : Processor(std::shared_ptr<const rules::RulePack>(std::shared_ptr<void>(), &pack), pii, clock,
                max_event_bytes) {}

Processor::Processor(std::shared_ptr<const rules::RulePack> pack, const PiiProtector& pii,
                     const Clock& clock, size_t max_event_bytes)
    : pack_(std::move(pack)),
      pii_(pii),
      clock_(clock),
      decoder_(max_event_bytes),
      engine_(std::make_unique<rules::Engine>(*pack_)),
      recent_ids_(pack_->horizon_us()) {
  decoder_.set_order_currency(pack_->base_currency());
  for (const rules::Rule& r : pack_->rules()) alert_types_.push_back(r.id + " " + r.name);
  hits_.assign(pack_->rules().size(), 0);
}

size_t Processor::swap_rules(std::shared_ptr<const rules::RulePack> pack) {
  auto engine = std::make_unique<rules::Engine>(*pack);
  size_t carried = engine->adopt(*engine_);
  for (uint32_t u = 0; u < users_.size(); ++u) engine->ensure_user(u, 0);
  for (size_t i = 0; i < hits_.size(); ++i) retired_hits_[pack_->rules()[i].id] += hits_[i];
  // Rows already in a batch point at the old pack's version and alert names: keep them.
  retired_.push_back(Retired{std::move(pack_), std::move(alert_types_)});
  pack_ = std::move(pack);
  decoder_.set_order_currency(pack_->base_currency());
  features_.assign(pack_->model_features().size(), 0);
  contributions_.assign(features_.size(), 0);
  engine_ = std::move(engine);
  alert_types_.clear();
  for (const rules::Rule& r : pack_->rules()) alert_types_.push_back(r.id + " " + r.name);
  hits_.assign(pack_->rules().size(), 0);
  ++counters_.rules_swaps;
  return carried;
}

void Processor::set_model(std::shared_ptr<const model::Model> model, double threshold,
                          double confirm, ModelPolicy policy) {
  model_ = std::move(model);
  model_threshold_ = threshold;
  model_confirm_ = policy == ModelPolicy::kCombined ? std::min(confirm, threshold) : 0;
  model_policy_ = policy;
  features_.assign(pack_->model_features().size(), 0);
  contributions_.assign(features_.size(), 0);
}

void Processor::replace_model(std::shared_ptr<const model::Model> model) {
  const double threshold =
      threshold_override_ > 0 ? threshold_override_ : model->manifest.threshold;
  const double confirm = model->manifest.confirm_threshold;
  set_model(std::move(model), threshold, confirm, model_policy_);
}

void Processor::collect_features(FeatureSink sink) {
  feature_sink_ = std::move(sink);
  features_.assign(pack_->model_features().size(), 0);
}

double Processor::apply_model(domain::Decision* decision) {
  // A model that does not fit the pack's features (never after pack_with_model) scores
  // nothing rather than read past them.
  if (features_.size() != model_->trees.features()) return std::numeric_limits<double>::quiet_NaN();
  const double p = model_->trees.predict(features_);
  model_changed_reasons_ = false;
  if (model_policy_ == ModelPolicy::kShadow || std::isnan(p)) return p;
  char buf[96];
  if (!(p >= model_threshold_)) {
    if (p < model_confirm_ && decision->verdict == domain::Verdict::kFlag) {
      model_changed_reasons_ = true;
      // The rules flagged it; the model does not confirm: watch it, no alert.
      decision->verdict = domain::Verdict::kMonitor;
      std::snprintf(buf, sizeof buf, "; MODEL: fraud score %.4f below %.4f does not confirm", p,
                    model_confirm_);
      reasons_.append(buf);
      ++counters_.model_vetoed;
    }
    return p;
  }
  // Flagged by the model: say which features pushed it there (the three that added most).
  double bias = 0;
  model_->trees.contributions(features_, contributions_, &bias);
  size_t top[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
  for (size_t i = 0; i < contributions_.size(); ++i) {
    if (!(contributions_[i] > 0)) continue;
    for (size_t k = 0; k < 3; ++k) {
      if (top[k] == SIZE_MAX || contributions_[i] > contributions_[top[k]]) {
        for (size_t j = 2; j > k; --j) top[j] = top[j - 1];
        top[k] = i;
        break;
      }
    }
  }
  if (decision->rules_fired == 0) {
    reasons_.clear();
  } else {
    reasons_.append("; ");
  }
  std::snprintf(buf, sizeof buf, "MODEL: fraud score %.3f", p);
  reasons_.append(buf);
  const std::vector<std::string>& names = model_->manifest.features;
  for (size_t k = 0; k < 3 && top[k] != SIZE_MAX; ++k) {
    const double v = features_[top[k]];
    std::snprintf(buf, sizeof buf, "%s%s %.4g (+%.2f)", k == 0 ? " from " : ", ",
                  top[k] < names.size() ? names[top[k]].c_str() : "?", v, contributions_[top[k]]);
    reasons_.append(buf);
  }
  decision->verdict = domain::Verdict::kFlag;
  model_changed_reasons_ = true;
  return p;
}

void Processor::read_rows(std::unique_ptr<codec::RowDecoder> rows, TruthSink truth) {
  rows_ = std::move(rows);
  truth_ = std::move(truth);
}

void Processor::read_paysim(Instant start, TruthSink truth) {
  read_rows(std::make_unique<codec::PaysimDecoder>(start, pack_->base_currency()),
            std::move(truth));
}

void Processor::load_merchants(const std::vector<domain::Merchant>& merchants) {
  for (const domain::Merchant& m : merchants) merchant_risks_.set(m.merchant_id, m.risk_score);
}

void Processor::load_users(const std::vector<domain::User>& users) {
  for (const domain::User& u : users) {
    uint32_t index = users_.add(u.user_id);
    engine_->ensure_user(index, u.last_txn_at);
    homes_.set(index, u);
    if (dim_last_seen_.size() <= index) dim_last_seen_.resize(index + 1, 0);
    dim_last_seen_[index] = u.last_txn_at;
  }
  pii_memo_.ensure(static_cast<uint32_t>(users_.size()));
}

uint32_t Processor::user_slot(std::string_view user_id) {
  bool is_new = false;
  uint32_t index = users_.lookup_or_add(user_id, &is_new);
  if (is_new) {
    engine_->ensure_user(index, 0);
    pii_memo_.ensure(index + 1);
  }
  return index;
}

void Processor::reset_state() {
  engine_ = std::make_unique<rules::Engine>(*pack_);
  for (uint32_t u = 0; u < users_.size(); ++u) {
    engine_->ensure_user(u, u < dim_last_seen_.size() ? dim_last_seen_[u] : 0);
  }
  recent_ids_ = RecentIds(pack_->horizon_us());
  watermark_ = 0;
}

Status Processor::restore_state(store::Store& store, const std::vector<std::string>& positions) {
  WF_RETURN_IF_ERROR(store.scan_last_activity(INT64_MAX, [&](std::string_view user, Instant t) {
    engine_->set_last_seen(user_slot(user), t);
  }));
  // The stream's "now" is the event time of the last row processed (not the largest
  // stored time, which one far-future event could set). Replaying the pack's horizon
  // before it, in processing order, rebuilds velocity rings and last locations as an
  // uninterrupted run left them.
  auto last = store.last_processed_event_ts();
  if (!last.ok()) return last.take_error();
  if (*last == 0) return Status::Ok();
  watermark_ = *last;
  Instant from = *last - pack_->horizon_us();
  // Partitions progress at their own pace: one may be well behind the last stored row.
  for (const std::string& p : positions) {
    auto t = store.last_event_ts(p);
    if (!t.ok()) return t.take_error();
    if (*t > 0) from = std::min(from, *t - pack_->horizon_us());
  }
  // Every stored field the rules may read comes back (type, channel, merchant, device,
  // quantity, ...), so features on any of them restart where they were.
  return store.scan_facts(from, INT64_MAX, [&](const store::StoredFact& f) { (void)fold(f); });
}

std::vector<std::pair<std::string, int64_t>> Processor::rule_hits() const {
  std::map<std::string, int64_t> all = retired_hits_;
  for (size_t i = 0; i < hits_.size(); ++i) all[pack_->rules()[i].id] += hits_[i];
  return {all.begin(), all.end()};
}

bool Processor::fold(const store::StoredFact& f) { return fold(f, {}); }

bool Processor::fold(const store::StoredFact& f, std::span<double> model_features) {
  if (recent_ids_.seen_or_add(f.tx.transaction_id, f.tx.event_ts)) return false;
  domain::Transaction tx = f.tx;
  rules::Event e;
  char country[2];
  if (!enrich(*pack_, tx, country, &e).ok()) return true;
  e.amount = f.amount_php;  // as it was scored
  e.user = user_slot(tx.user_id);
  e.home_province = homes_.province(e.user);
  e.homes = homes_.locations();
  e.merchant_risks = &merchant_risks_;
  engine_->observe(e, model_features);
  return true;
}

std::string_view Processor::alert_type_of(std::string_view rules_fired) const {
  // The deciding rule: the highest score among those fired, ties to the earlier (as
  // Engine::decide picks it).
  const std::vector<rules::Rule>& rules = pack_->rules();
  int top = -1;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (domain::fired_in(rules_fired, rules[i].id) &&
        (top < 0 || rules[i].score > rules[static_cast<size_t>(top)].score)) {
      top = static_cast<int>(i);
    }
  }
  return top < 0 ? std::string_view() : std::string_view(alert_types_[static_cast<size_t>(top)]);
}

void Processor::dead_letter(const stream::Record& record, const Error& error, store::Batch* batch,
                            Arena* arena) {
  ++counters_.dead_letters;
  ++counters_.dead_by_code[static_cast<size_t>(error.code)];
  store::DeadLetterRow d;
  d.source_offset = record.offset;
  d.source = record.source;
  d.code = error.code;
  d.message = pii_.redact(error.message, arena);  // messages may quote the bad value
  d.raw = pii_.redact(record.bytes, arena);
  batch->dead_letters.push_back(d);
}

namespace {

constexpr std::string_view kModelAlertType = "MODEL learned_score";

// The user id of a raw event, found without parsing ("user_id":"..."); empty if absent
// or spelled unusually. Only a prefetch hint: the decoder remains the authority.
std::string_view peek_user_id(std::string_view raw) {
  // Events usually name user_id early and have few 'u's before it (ids and timestamps
  // are hex and digits): look at each 'u' rather than running a general substring search.
  constexpr std::string_view kKey = "user_id\":\"";
  const char* p = raw.data();
  const char* end = raw.data() + raw.size();
  while (p < end) {
    p = static_cast<const char*>(std::memchr(p, 'u', static_cast<size_t>(end - p)));
    if (p == nullptr) return {};
    if (p > raw.data() && p[-1] == '"' && static_cast<size_t>(end - p) > kKey.size() &&
        std::memcmp(p, kKey.data(), kKey.size()) == 0) {
      const char* begin = p + kKey.size();
      const char* close =
          static_cast<const char*>(std::memchr(begin, '"', static_cast<size_t>(end - begin)));
      if (close == nullptr) return {};
      return std::string_view(begin, static_cast<size_t>(close - begin));
    }
    ++p;
  }
  return {};
}

}  // namespace

void Processor::process_all(const std::vector<stream::Record>& records, store::Batch* batch,
                            Arena* arena) {
  // Two stages ahead: the index slot of record i+2, then (slot now cached) the state
  // and memo of record i+1. Each record's id is peeked once.
  constexpr size_t kSlotAhead = 2;
  std::string_view peeked[kSlotAhead + 1];  // ring: user ids of records i .. i+2
  size_t n = records.size();
  wall_now_ = clock_.now();
  for (size_t i = 0; i < n && i < kSlotAhead; ++i) peeked[i] = peek_user_id(records[i].bytes);
  for (size_t i = 0; i < n; ++i) {
    if (i + kSlotAhead < n) {
      std::string_view id = peek_user_id(records[i + kSlotAhead].bytes);
      peeked[(i + kSlotAhead) % (kSlotAhead + 1)] = id;
      if (!id.empty()) users_.prefetch(id);
    }
    if (i + 1 < n) {
      std::string_view id = peeked[(i + 1) % (kSlotAhead + 1)];
      if (!id.empty()) {
        uint32_t user = users_.lookup(id);
        if (user != UINT32_MAX) {
          engine_->prefetch_user(user);
          pii_memo_.prefetch(user);
        }
      }
    }
    process_one(records[i], batch, arena);
  }
}

void Processor::process(const stream::Record& record, store::Batch* batch, Arena* arena) {
  wall_now_ = clock_.now();
  process_one(record, batch, arena);
}

Result<Processor::Scored> Processor::score(std::string_view json) {
  const uint64_t start = CycleTimer::ticks();
  // The decoder reads past the end of its input: a padded copy.
  std::string padded(json);
  padded.append(codec::kDecodePadding, '\0');
  domain::Transaction tx;
  WF_RETURN_IF_ERROR(decoder_.decode(std::string_view(padded.data(), json.size()), &tx));
  rules::Event ev;
  char country[2];
  WF_RETURN_IF_ERROR(enrich(*pack_, tx, country, &ev));
  ev.user = user_slot(tx.user_id);
  ev.home_province = homes_.province(ev.user);
  ev.homes = homes_.locations();
  ev.merchant_risks = &merchant_risks_;
  Scored s;
  const bool scored_by_model = model_ && !features_.empty();
  s.decision = scored_by_model ? engine_->evaluate_only(ev, &s.reasons, features_)
                               : engine_->evaluate_only(ev, &s.reasons);
  if (scored_by_model) {
    if (s.decision.rules_fired != 0) reasons_ = s.reasons;
    s.model_score = apply_model(&s.decision);
    if (model_changed_reasons_) s.reasons = reasons_;
  }
  if (s.decision.rules_fired != 0) {
    std::string ids(pack_->rules().size() * 17 + 1, '\0');
    ids.resize(pack_->fired_ids(s.decision.rules_fired, ids.data(), ids.size()));
    s.rules_fired = std::move(ids);
  }
  s.ruleset_version = pack_->version();
  s.latency_ns = CycleTimer::elapsed_ns(start);
  return s;
}

void Processor::process_one(const stream::Record& record, store::Batch* batch, Arena* arena) {
  ++counters_.records;
  // Latency uses the TSC (a few ns per read), not the injected Clock: durations only.
  uint64_t start = CycleTimer::ticks();
  if (record.truncated) {
    dead_letter(record, make_error(Errc::kOversized, "record longer than the read buffer"), batch,
                arena);
    return;
  }
  domain::Transaction tx;
  Status decoded;
  if (rows_) {
    codec::RowTruth truth;
    decoded = rows_->decode(record.bytes, &tx, &truth);
    if (decoded.ok() && truth.labelled && truth_) truth_(tx.transaction_id, truth);
  } else {
    decoded = decoder_.decode(record.bytes, &tx);
  }
  if (!decoded.ok()) {
    dead_letter(record, decoded.error(), batch, arena);
    return;
  }
  rules::Event ev;
  char country[2];
  if (Status enriched = enrich(*pack_, tx, country, &ev); !enriched.ok()) {
    dead_letter(record, enriched.error(), batch, arena);
    return;
  }

  if (tx.event_ts > std::max(watermark_, wall_now_) + kMaxAheadUs) {
    dead_letter(record,
                make_error(Errc::kBadTimestamp,
                           "event_timestamp is more than a day ahead of both the stream and the "
                           "clock: " +
                               format_utc(tx.event_ts)),
                batch, arena);
    return;
  }
  if (tx.event_ts > watermark_) watermark_ = tx.event_ts;
  if (recent_ids_.seen_or_add(tx.transaction_id, tx.event_ts)) {
    ++counters_.duplicates;  // counted and dropped before it can touch rule state
    batch->dropped_duplicates.push_back(record.source);
    return;
  }

  ev.user = user_slot(tx.user_id);
  ev.home_province = homes_.province(ev.user);
  ev.homes = homes_.locations();
  ev.merchant_risks = &merchant_risks_;
  const bool with_features = (model_ || feature_sink_) && !features_.empty();
  domain::Decision decision = with_features ? engine_->evaluate(ev, &reasons_, features_)
                                            : engine_->evaluate(ev, &reasons_);
  const int rule_score = decision.score;
  const uint64_t rules_fired = decision.rules_fired;
  double model_score = std::numeric_limits<double>::quiet_NaN();
  if (model_ && with_features) {
    model_score = apply_model(&decision);
    ++counters_.model_scored;
  }
  const bool model_flagged = decision.verdict == domain::Verdict::kFlag &&
                             domain::verdict_for(rule_score) != domain::Verdict::kFlag;
  counters_.model_flagged += model_flagged;
  if (feature_sink_) feature_sink_(tx.transaction_id, tx.event_ts, rule_score, features_);

  store::FactRow& row = batch->facts.emplace_back();  // built in place, not copied
  if (!tx.ip_address.empty()) {
    char* h = arena->allocate(kHashHexChars);
    pii_memo_.ip_hash(ev.user, tx.ip_address, pii_, h);
    row.ip_hash = std::string_view(h, kHashHexChars);
  }
  if (!tx.phone_number.empty()) {
    char* h = arena->allocate(kHashHexChars);
    if (pii_memo_.phone_hash(ev.user, tx.phone_number, pii_, h)) {
      row.phone_hash = std::string_view(h, kHashHexChars);
    }
  }
  // One copy of the record keeps every unescaped string the row needs (the decoder's
  // views point into the record); only escaped strings need their own copy.
  const char* rec = record.bytes.data();
  size_t rec_len = record.bytes.size();
  char* copy = arena->allocate(rec_len);
  std::memcpy(copy, rec, rec_len);
  auto keep = [&](std::string_view v) -> std::string_view {
    if (v.empty()) return {};
    if (v.data() >= rec && v.data() + v.size() <= rec + rec_len) {
      return std::string_view(copy + (v.data() - rec), v.size());
    }
    return arena->copy(v);
  };
  row.transaction_id = keep(tx.transaction_id);
  row.event_ts = tx.event_ts;
  row.user_id = keep(tx.user_id);
  row.merchant_id = keep(tx.merchant_id);
  row.counterparty_id = keep(tx.counterparty_id);
  row.transaction_type = domain::tx_type_name(tx.type);
  row.amount_minor = tx.amount.minor;
  row.currency = arena->copy(tx.amount.currency.code());
  row.amount_php = ev.amount;
  row.channel = keep(tx.channel);
  row.payment_method = keep(tx.payment_method);
  row.status = domain::tx_status_name(tx.status);
  row.country = keep(tx.country);
  row.province = keep(tx.province);
  row.city = keep(tx.city);
  row.has_location = tx.has_location;
  row.lat = tx.lat;
  row.lon = tx.lon;
  row.device_id = keep(tx.device_id);
  row.product_id = keep(tx.product_id);
  row.quantity = tx.quantity;
  row.fraud_score = decision.score;
  row.model_score = model_score;
  row.verdict = decision.verdict;
  if (rules_fired != 0) {
    // Room for every id at its longest (16 chars) plus a comma each.
    size_t capacity = pack_->rules().size() * 17 + 1;
    char* ids = arena->allocate(capacity);
    size_t n = pack_->fired_ids(rules_fired, ids, capacity);
    row.rules_fired = std::string_view(ids, n);
  }
  if (rules_fired != 0 || model_flagged) row.reasons = arena->copy(reasons_);
  row.ruleset_version = pack_->version();
  if (model_flagged) {
    row.alert_type = kModelAlertType;
  } else if (decision.top_rule >= 0) {
    row.alert_type = alert_types_[static_cast<size_t>(decision.top_rule)];
  }
  row.source_offset = record.offset;
  row.source = record.source;
  int64_t elapsed = CycleTimer::elapsed_ns(start);
  row.processing_us = elapsed / 1000;
  latency_ns_.record(static_cast<uint64_t>(elapsed));
  ++counters_.facts;
  for (uint64_t m = decision.rules_fired; m != 0; m &= m - 1) ++hits_[__builtin_ctzll(m)];
  if (decision.verdict == domain::Verdict::kFlag) ++counters_.flagged;
  if (decision.verdict == domain::Verdict::kMonitor) ++counters_.monitored;
}

}  // namespace wf::pipeline
