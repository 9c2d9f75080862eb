#include "sample.h"

#include <gtest/gtest.h>

namespace wf::gen::testing {

const Dimensions& dims() {
  static const Dimensions d = [] {
    SeedOptions o;
    o.users = 10'000;
    o.merchants = 500;
    o.seed = 11;
    o.now = test_now();
    return seed_dimensions(o);
  }();
  return d;
}

StreamOptions stream_options(uint64_t seed, double fraud_rate) {
  StreamOptions o;
  o.seed = seed;
  o.fraud_rate = fraud_rate;
  o.start = test_now();
  return o;
}

Generated generate(const StreamOptions& o, int n) {
  StreamGenerator gen(dims(), o);
  Generated g;
  std::string line;
  Label label;
  std::string why;
  while (static_cast<int>(g.events.size()) < n) {
    line.clear();
    EXPECT_TRUE(gen.next(&line, &label));
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    Parsed p;
    if (!parse_event(std::string_view(line).substr(0, line.size() - 1), &p, &why)) {
      ADD_FAILURE() << why << ": " << line;
      break;
    }
    EXPECT_EQ(p.id, label.transaction_id);
    g.events.push_back(std::move(p));
    g.labels.push_back(label);
  }
  EXPECT_EQ(gen.events(), static_cast<int64_t>(g.events.size()));
  return g;
}

const Generated& sample() {
  static const Generated g = generate(stream_options(), 200'000);
  return g;
}

}  // namespace wf::gen::testing
