#include "pipeline/backtest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "codec/event_decoder.h"
#include "pipeline/enrich.h"
#include "pipeline/recent_ids.h"

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

// One batch in flight between the two stages: its records' bytes (copied, so decoded
// views outlive the source's buffer) and their working items.
struct Backtest::Stage {
  std::string bytes;
  std::vector<Item> items;
  size_t count = 0;
  std::vector<std::string> cand_reasons;
  std::vector<std::string> base_reasons;
};

void Backtest::prepare(Item& it) {
  // Only the index here: the engines belong to the scoring thread, and grow a new user's
  // slot (never seen, last activity 0) when they first score it.
  bool is_new = false;
  const uint32_t index = users_.lookup_or_add(it.tx.user_id, &is_new);
  it.ok_c = enrich(*candidate_.pack, it.tx, it.country_c, &it.ce).ok();
  it.ok_b = enrich(*baseline_.pack, it.tx, it.country_b, &it.be).ok();
  it.ce.user = it.be.user = index;
  it.ce.home_province = it.be.home_province = homes_.province(index);
  it.ce.homes = it.be.homes = homes_.locations();
}

void Backtest::score(Stage& st) {
  constexpr size_t kAhead = 16;
  const size_t n = st.count;
  if (st.cand_reasons.size() < n) st.cand_reasons.resize(n);
  if (st.base_reasons.size() < n) st.base_reasons.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Item& it = st.items[i];
    if (it.ok_c) it.cand = candidate_.engine->evaluate(it.ce, &st.cand_reasons[i]);
  }
  for (size_t i = 0; i < n && i < kAhead; ++i) labels_.prefetch(st.items[i].tx.transaction_id);
  for (size_t i = 0; i < n; ++i) {
    Item& it = st.items[i];
    if (i + kAhead < n) labels_.prefetch(st.items[i + kAhead].tx.transaction_id);
    domain::Decision b;
    if (it.ok_b) b = baseline_.engine->evaluate(it.be, &st.base_reasons[i]);
    if (!it.ok_c) {
      ++report_.skipped;
      continue;
    }
    if (it.cand.rules_fired == 0) st.cand_reasons[i].clear();
    compare(it.tx, it.cand, st.cand_reasons[i], baseline_decision(b, &st.base_reasons[i]));
    it.cand = domain::Decision{};
  }
}

namespace {

// A read-only mapping of a whole file; records are views into it for the whole replay.
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path) {
    MappedFile m;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(Errc::kIo, "cannot open '" + path + "': " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return make_error(Errc::kIo, "'" + path + "' is not a regular file");
    }
    m.size_ = static_cast<size_t>(st.st_size);
    if (m.size_ > 0) {
      void* p = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return make_error(Errc::kIo, "cannot map '" + path + "': " + std::strerror(errno));
      }
      ::madvise(p, m.size_, MADV_SEQUENTIAL);
      m.data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return m;
  }
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const { return std::string_view(data_, size_); }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Result<Backtest::SourceCounts> Backtest::replay_file(const std::string& path,
                                                     size_t max_event_bytes) {
  auto file = MappedFile::open(path);
  if (!file.ok()) return file.take_error();
  const std::string_view text = file->view();
  SourceCounts counts;
  codec::EventDecoder decoder(max_event_bytes);
  RecentIds seen(std::max(candidate_.pack->horizon_us(), baseline_.pack->horizon_us()));
  // The decoder reads up to kDecodePadding bytes past a record: records that close to the
  // end of the mapping are decoded from a padded copy instead.
  Stage stages[2];
  // Handoff: this thread fills stages[k] while the scorer works on stages[1 - k].
  std::mutex mutex;
  std::condition_variable cv;
  int ready = -1;    // stage waiting for the scorer
  int scoring = -1;  // stage the scorer holds
  bool done = false;
  std::thread scorer([&] {
    for (;;) {
      int k;
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return ready >= 0 || done; });
        if (ready < 0) return;
        k = ready;
        ready = -1;
        scoring = k;
      }
      cv.notify_all();
      score(stages[k]);
      {
        std::lock_guard<std::mutex> lock(mutex);
        scoring = -1;
      }
      cv.notify_all();
    }
  });
  constexpr size_t kBatch = 8192;
  size_t pos = 0;
  for (int k = 0; pos < text.size(); k ^= 1) {
    {
      // stages[k] is free once it is neither queued nor being scored.
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return ready != k && scoring != k; });
    }
    Stage& st = stages[k];
    if (st.items.size() < kBatch) st.items.resize(kBatch);
    st.count = 0;
    st.bytes.clear();  // padded copies of the records near the end of the file
    st.bytes.reserve(2 * (max_event_bytes + codec::kDecodePadding));
    while (st.count < kBatch && pos < text.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
      size_t end = nl != nullptr ? static_cast<size_t>(nl - text.data()) : text.size();
      std::string_view record = text.substr(pos, end - pos);
      pos = end + 1;
      if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
      if (record.find_first_not_of(" \t") == std::string_view::npos) continue;
      ++counts.records;
      if (record.size() > max_event_bytes) {
        ++counts.dead_letters;
        continue;
      }
      if (static_cast<size_t>(record.data() - text.data()) + record.size() + codec::kDecodePadding >
          text.size()) {
        // Within kDecodePadding of the end: at most a few short records, copied side by
        // side (the reserve above keeps earlier copies in place).
        size_t at = st.bytes.size();
        st.bytes.append(record);
        st.bytes.append(codec::kDecodePadding, ' ');
        record = std::string_view(st.bytes.data() + at, record.size());
      }
      Item& it = st.items[st.count];
      it.tx = domain::Transaction{};
      if (!decoder.decode(record, &it.tx).ok()) {
        ++counts.dead_letters;
        continue;
      }
      if (seen.seen_or_add(it.tx.transaction_id, it.tx.event_ts)) {
        ++counts.duplicates;
        continue;
      }
      prepare(it);
      ++st.count;
    }
    {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return ready < 0; });  // one stage queued at a time
      ready = k;
    }
    cv.notify_all();
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return ready < 0 && scoring < 0; });
    done = true;
  }
  cv.notify_all();
  scorer.join();
  return counts;
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
