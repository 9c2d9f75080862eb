// The retry loop both stores put around an operation that failed for a transient reason
// (PostgreSQL unreachable, the disk full): wait with doubling backoff and try again,
// for up to a time limit, then fail naming the cause. Counted in transient_retries().
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "core/log.h"
#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace wf::store {

struct RetryPolicy {
  int64_t retry_for_us = 300 * kMicrosPerSecond;  // then the run fails
  int64_t first_backoff_us = 100'000;
  int64_t max_backoff_us = 5 * kMicrosPerSecond;
};

// Runs attempt(retrying) until it succeeds or cause(result) is empty (a final answer).
// A transient failure is logged as "store: WHAT failed, CAUSE (message); retrying in N
// ms"; after each wait, between(failures) runs (reconnect, say). Past retry_for_us:
// kStore "GIVE_UP for N s (WHAT): message".
template <class Attempt, class Cause, class Between>
auto retry_transient(const RetryPolicy& policy, std::string_view what, std::string_view give_up,
                     Attempt attempt, Cause cause, Between between) -> decltype(attempt(false)) {
  const auto start = std::chrono::steady_clock::now();
  int64_t backoff = policy.first_backoff_us;
  for (int failures = 1;; ++failures) {
    auto r = attempt(failures > 1);
    if (r.ok()) return r;
    const std::string why = cause(r);
    if (why.empty()) return r;
    const int64_t waited = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
    if (waited >= policy.retry_for_us) {
      return make_error(Errc::kStore, std::string(give_up) + " for " +
                                          std::to_string(waited / kMicrosPerSecond) + " s (" +
                                          std::string(what) + "): " + r.error().message);
    }
    count_transient_retry();
    log::warn("store: " + std::string(what) + " failed, " + why + " (" + r.error().message +
              "); retrying in " + std::to_string(backoff / 1000) + " ms");
    std::this_thread::sleep_for(std::chrono::microseconds(backoff));
    backoff = std::min(backoff * 2, policy.max_backoff_us);
    between(failures);
  }
}

}  // namespace wf::store
