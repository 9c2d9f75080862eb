// Shared fixtures of the generator tests: one dims seed and one 200,000-event stream,
// generated once per test binary.
#pragma once

#include <vector>

#include "gen/ph_ewallet.h"
#include "gen_support.h"

namespace wf::gen::testing {

struct Generated {
  std::vector<Parsed> events;
  std::vector<Label> labels;
};

const Dimensions& dims();
StreamOptions stream_options(uint64_t seed = 5, double fraud_rate = 0.02);
// Generates n well-formed events (simulated mode); fails the test on a line that does
// not parse.
Generated generate(const StreamOptions& o, int n);
const Generated& sample();

}  // namespace wf::gen::testing
