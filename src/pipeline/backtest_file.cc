// Backtest's file replay: a read-only mapping of the file, decoded and enriched on the
// calling thread while a second thread scores the previous batch with both packs.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "codec/event_decoder.h"
#include "core/arena.h"
#include "pipeline/backtest.h"
#include "pipeline/enrich.h"
#include "pipeline/recent_ids.h"

namespace wf::pipeline {

// One batch in flight between the two stages: the bytes its items' views point at
// beside the mapping (padded copies of the last JSON records; strings a decoder kept in
// its own buffers) and the working items.
struct Backtest::Stage {
  std::string bytes;
  Arena strings;
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
    compare(it.tx, it.cand, st.cand_reasons[i], baseline_decision(b, &st.base_reasons[i]),
            it.label);
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

// Points each string of `tx` that lies outside `text` (in a decoder's own buffer: a JSON
// string with escapes, a row's hashed id, a quoted CSV field) at a copy in `arena`, so
// it outlives the next decode: the batch is scored after all of it is decoded. Views
// into `text` (the mapping) stay as they are.
void keep_outside(std::string_view text, domain::Transaction* tx, Arena* arena) {
  const auto begin = reinterpret_cast<uintptr_t>(text.data());
  const uintptr_t end = begin + text.size();
  for (std::string_view* s :
       {&tx->transaction_id, &tx->user_id, &tx->merchant_id, &tx->counterparty_id, &tx->channel,
        &tx->payment_method, &tx->country, &tx->province, &tx->city, &tx->device_id,
        &tx->ip_address, &tx->phone_number, &tx->product_id}) {
    const auto at = reinterpret_cast<uintptr_t>(s->data());
    if (!s->empty() && (at < begin || at + s->size() > end)) *s = arena->copy(*s);
  }
}

}  // namespace

Result<Backtest::SourceCounts> Backtest::replay_file(const std::string& path,
                                                     size_t max_event_bytes,
                                                     const ReplayFormat& format) {
  auto file = MappedFile::open(path);
  if (!file.ok()) return file.take_error();
  const std::string_view text = file->view();
  SourceCounts counts;
  codec::EventDecoder decoder(max_event_bytes);
  decoder.set_order_currency(candidate_.pack->base_currency());  // seed 004's orders
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
  codec::RowDecoder* const rows = format.rows;
  constexpr size_t kBatch = 8192;
  size_t pos = 0;
  if (rows != nullptr && format.is_header) {
    // The header names the columns: it is neither an event nor a dead letter.
    size_t end = std::min(text.find('\n'), text.size());
    std::string_view first = text.substr(0, end);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    if (format.is_header(first)) pos = end + 1;
  }
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
    st.strings.reset();
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
      Item& it = st.items[st.count];
      it.label = -2;
      if (rows != nullptr) {
        codec::RowTruth truth;
        if (!rows->decode(record, &it.tx, &truth).ok()) {
          ++counts.dead_letters;
          continue;
        }
        if (format.row_labels) it.label = truth.labelled ? (truth.is_fraud ? 1 : 0) : -1;
      } else {
        if (static_cast<size_t>(record.data() - text.data()) + record.size() +
                codec::kDecodePadding >
            text.size()) {
          // Within kDecodePadding of the end: at most a few short records, copied side by
          // side (the reserve above keeps earlier copies in place).
          size_t at = st.bytes.size();
          st.bytes.append(record);
          st.bytes.append(codec::kDecodePadding, ' ');
          record = std::string_view(st.bytes.data() + at, record.size());
        }
        it.tx = domain::Transaction{};
        if (!decoder.decode(record, &it.tx).ok()) {
          ++counts.dead_letters;
          continue;
        }
      }
      if (seen.seen_or_add(it.tx.transaction_id, it.tx.event_ts)) {
        ++counts.duplicates;
        continue;
      }
      keep_outside(text, &it.tx, &st.strings);
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

}  // namespace wf::pipeline
