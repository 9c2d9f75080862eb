#include "pipeline/backtest.h"

#include <algorithm>
#include <cstdlib>

#include "pipeline/enrich.h"

namespace wf::pipeline {
namespace {

int magnitude(const Change& c) { return std::abs(c.candidate_score - c.baseline_score); }

// Min-heap on the size of the change; among equal sizes the later transaction is
// dropped first, so the kept set is deterministic.
bool smaller(const Change& a, const Change& b) {
  if (magnitude(a) != magnitude(b)) return magnitude(a) > magnitude(b);
  return a.event_ts < b.event_ts;
}

}  // namespace

void LabelIndex::add(std::string_view id, bool is_fraud) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const uint64_t key = (hash_bytes(id) | 2) & ~uint64_t{1};  // never 0; bit 0 free
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(key >> 1) & mask;
  while (slots_[i] != 0 && (slots_[i] & ~uint64_t{1}) != key) i = (i + 1) & mask;
  if (slots_[i] == 0) ++size_;
  slots_[i] = key | (is_fraud ? 1 : 0);
}

int LabelIndex::find(std::string_view id) const {
  if (size_ == 0) return -1;
  const uint64_t key = (hash_bytes(id) | 2) & ~uint64_t{1};
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(key >> 1) & mask; slots_[i] != 0; i = (i + 1) & mask) {
    if ((slots_[i] & ~uint64_t{1}) == key) return static_cast<int>(slots_[i] & 1);
  }
  return -1;
}

void LabelIndex::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (uint64_t v : old) {
    if (v == 0) continue;
    size_t i = static_cast<size_t>(v >> 1) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

Backtest::Backtest(const rules::RulePack& candidate, const rules::RulePack* baseline,
                   size_t keep_changes)
    : has_baseline_(baseline != nullptr), keep_(keep_changes) {
  candidate_.pack = &candidate;
  candidate_.engine = std::make_unique<rules::Engine>(candidate);
  for (const rules::Rule& r : candidate.rules()) {
    report_.rules[r.id].in_candidate = true;
  }
  if (baseline != nullptr) {
    baseline_.pack = baseline;
    baseline_.engine = std::make_unique<rules::Engine>(*baseline);
    for (const rules::Rule& r : baseline->rules()) report_.rules[r.id].in_baseline = true;
  }
}

uint32_t Backtest::user(std::string_view id, Instant last_seen_if_new) {
  bool is_new = false;
  uint32_t index = users_.lookup_or_add(id, &is_new);
  if (is_new) {
    candidate_.engine->ensure_user(index, last_seen_if_new);
    if (baseline_.engine) baseline_.engine->ensure_user(index, last_seen_if_new);
  }
  return index;
}

void Backtest::load_users(const std::vector<domain::User>& users) {
  for (const domain::User& u : users) homes_.set(user(u.user_id, u.last_txn_at), u);
}

void Backtest::set_last_seen(std::string_view user_id, Instant t) {
  uint32_t index = user(user_id, 0);
  candidate_.engine->set_last_seen(index, t);
  if (baseline_.engine) baseline_.engine->set_last_seen(index, t);
}

void Backtest::warm(domain::Transaction& tx) {
  uint32_t index = user(tx.user_id, 0);
  for (Side* side : {&candidate_, &baseline_}) {
    if (!side->engine) continue;
    rules::Event e;
    char country[2];
    domain::Transaction copy = tx;
    if (!enrich(*side->pack, copy, country, &e).ok()) continue;
    e.user = index;
    e.home_province = homes_.province(index);
    e.homes = homes_.locations();
    side->engine->observe(e);
  }
  ++report_.warmup_events;
}

void Backtest::replay(domain::Transaction& tx, const BaselineDecision* stored) {
  const uint32_t index = user(tx.user_id, 0);
  rules::Event ce;
  char country[2];
  if (!enrich(*candidate_.pack, tx, country, &ce).ok()) {
    ++report_.skipped;
    return;
  }
  ce.user = index;
  ce.home_province = homes_.province(index);
  ce.homes = homes_.locations();
  domain::Decision cand = candidate_.engine->evaluate(ce, &reasons_);
  if (cand.rules_fired == 0) reasons_.clear();
  BaselineDecision base;
  if (has_baseline_) {
    rules::Event be;
    char bcountry[2];
    domain::Decision b;
    if (enrich(*baseline_.pack, tx, bcountry, &be).ok()) {
      be.user = index;
      be.home_province = homes_.province(index);
      be.homes = homes_.locations();
      b = baseline_.engine->evaluate(be, &base_reasons_);
    }
    base = baseline_decision(b, &base_reasons_);
  } else if (stored != nullptr) {
    base = *stored;
  }
  compare(tx, cand, reasons_, base);
}

BaselineDecision Backtest::baseline_decision(const domain::Decision& d, std::string* reasons) {
  if (d.rules_fired == 0) reasons->clear();  // evaluate() leaves them as they were
  BaselineDecision base;
  base.score = d.score;
  base.verdict = d.verdict;
  size_t n = baseline_.pack->fired_ids(d.rules_fired, base_ids_, sizeof base_ids_);
  base.rules_fired = std::string_view(base_ids_, n);
  base.reasons = *reasons;
  return base;
}

void Backtest::compare(const domain::Transaction& tx, const domain::Decision& cand,
                       const std::string& cand_reasons, const BaselineDecision& base, int label) {
  const std::string_view base_rules = base.rules_fired;
  ++report_.events;
  const bool cand_flag = cand.verdict == domain::Verdict::kFlag;
  const bool base_flag = base.verdict == domain::Verdict::kFlag;
  report_.candidate_alerts += cand_flag;
  report_.baseline_alerts += base_flag;
  if (label == -2) label = labels_.find(tx.transaction_id);
  const bool labelled = label >= 0;
  const bool fraud = label == 1;
  if (labelled) {
    ++report_.labelled;
    report_.candidate.add(cand_flag, fraud);
    report_.baseline.add(base_flag, fraud);
  }
  // Per-rule hits: the candidate's from its mask, the baseline's from its id list.
  const std::vector<rules::Rule>& crules = candidate_.pack->rules();
  for (uint64_t m = cand.rules_fired; m != 0; m &= m - 1) {
    RuleTally& t = report_.rules[crules[static_cast<size_t>(__builtin_ctzll(m))].id];
    ++t.candidate_hits;
    t.candidate_hits_labelled += labelled;
    t.candidate_hits_fraud += fraud;
  }
  std::string_view rest = base_rules;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view id = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto it = report_.rules.find(std::string(id));
    if (it == report_.rules.end()) it = report_.rules.emplace(std::string(id), RuleTally{}).first;
    RuleTally& t = it->second;
    t.in_baseline = true;  // stored decisions name their rules only when they fire
    ++t.baseline_hits;
    t.baseline_hits_labelled += labelled;
    t.baseline_hits_fraud += fraud;
  }

  size_t n = candidate_.pack->fired_ids(cand.rules_fired, cand_ids_, sizeof cand_ids_);
  std::string_view cand_rules(cand_ids_, n);
  if (cand.score == base.score && cand.verdict == base.verdict && cand_rules == base_rules) return;
  ++report_.decisions_changed;
  auto first_id = [](std::string_view ids) { return std::string(ids.substr(0, ids.find(','))); };
  if (cand_flag && !base_flag) {
    ++report_.alerts_added;
    ++report_.added_by_rule[crules[static_cast<size_t>(cand.top_rule)].id];
  }
  if (base_flag && !cand_flag) {
    ++report_.alerts_removed;
    ++report_.removed_by_rule[first_id(base_rules)];
  }
  keep_change(tx, cand, cand_reasons, base);
}

void Backtest::keep_change(const domain::Transaction& tx, const domain::Decision& cand,
                           const std::string& cand_reasons, const BaselineDecision& base) {
  if (keep_ == 0) return;
  Change c;
  c.candidate_score = cand.score;
  c.baseline_score = base.score;
  c.event_ts = tx.event_ts;
  if (heap_.size() == keep_ && !smaller(c, heap_.front())) return;
  c.transaction_id = std::string(tx.transaction_id);
  c.candidate_verdict = cand.verdict;
  c.baseline_verdict = base.verdict;
  c.candidate_rules = candidate_.pack->fired_ids(cand.rules_fired);
  c.baseline_rules = std::string(base.rules_fired);
  c.candidate_reasons = cand_reasons;
  c.baseline_reasons = std::string(base.reasons);
  heap_.push_back(std::move(c));
  std::push_heap(heap_.begin(), heap_.end(), smaller);
  if (heap_.size() > keep_) {
    std::pop_heap(heap_.begin(), heap_.end(), smaller);
    heap_.pop_back();
  }
}

BacktestReport Backtest::report() const {
  BacktestReport out = report_;
  out.biggest_changes = heap_;
  std::sort(out.biggest_changes.begin(), out.biggest_changes.end(), smaller);
  return out;
}

}  // namespace wf::pipeline
