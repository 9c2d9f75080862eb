// The generator's hot path allocates nothing per event once its buffers have grown.
// Counts global operator new calls (this replacement is program-wide but only counts).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "gen/ph_ewallet.h"
#include "sample.h"

namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

namespace {
void* counted_malloc(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// Every unaligned form, so that whatever allocates (also inside libraries) frees in kind.
void* operator new(size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace wf::gen {
namespace {

int64_t allocations_for(StreamGenerator& gen, int lines, bool live, Instant* now) {
  std::string out;
  out.reserve(1 << 20);
  Label label;
  label.transaction_id.reserve(64);
  const int64_t before = g_allocations.load();
  for (int i = 0; i < lines; ++i) {
    if (out.size() > (1 << 19)) out.clear();
    if (live) {
      gen.next_at(*now += 10'000, &out, &label);
    } else {
      gen.next(&out, &label);
    }
  }
  return g_allocations.load() - before;
}

TEST(Allocation, NoneOnceWarm) {
  StreamOptions o = testing::stream_options(51);
  o.bad_rate = 0.01;
  StreamGenerator gen(testing::dims(), o);
  Instant now = 0;
  allocations_for(gen, 50'000, false, &now);  // heap and scratch buffers grow here
  // Only the pattern heap may still grow now and then.
  EXPECT_LE(allocations_for(gen, 50'000, false, &now), 3);
}

TEST(Allocation, NoneOnceWarmWithDisorderAndLive) {
  StreamOptions o = testing::stream_options(52);
  o.max_disorder_us = kMicrosPerMinute;
  StreamGenerator gen(testing::dims(), o);
  Instant now = testing::test_now();
  allocations_for(gen, 50'000, false, &now);
  // The reorder buffer reaches a new high-water mark now and then: a handful, not 50,000.
  EXPECT_LE(allocations_for(gen, 50'000, false, &now), 20);
  StreamGenerator live(testing::dims(), testing::stream_options(53));
  allocations_for(live, 50'000, true, &now);
  EXPECT_LE(allocations_for(live, 50'000, true, &now), 3);
}

}  // namespace
}  // namespace wf::gen
