// libFuzzer target: a model file's trees are user input (process --model). Any JSON is a
// model or a clear error; a model that loads scores and explains without a crash.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "model/trees.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto trees = wf::model::TreeEnsemble::from_xgboost_json(text);
  if (!trees.ok()) return 0;
  std::vector<double> x(trees->features(), 0.5);
  if (!x.empty()) x[0] = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> contributions(trees->features());
  double bias = 0;
  (void)trees->predict(x);
  trees->contributions(x, contributions, &bias);
  return 0;
}
