// A gradient-boosted tree ensemble evaluated natively: the trees of an XGBoost model
// (binary:logistic), read from XGBoost's JSON model, laid out as flat node arrays so that
// scoring one event is a few hundred predictable loads, no library call. Scores equal
// XGBoost's own predictions (features compared as float, as XGBoost stores them; NaN is
// missing and takes each split's default branch). Immutable after loading: any thread
// may score with it.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wf::model {

class TreeEnsemble {
 public:
  // From XGBoost's JSON model (the document XGBoosterSaveModelToBuffer writes). kConfig
  // when it is not a binary:logistic tree model.
  static Result<TreeEnsemble> from_xgboost_json(std::string_view json);

  size_t features() const { return features_; }
  size_t trees() const { return roots_.size(); }

  // Log-odds of fraud for one event's features (size features()).
  double margin(std::span<const double> x) const;
  // Probability of fraud, 0..1.
  double predict(std::span<const double> x) const { return 1 / (1 + std::exp(-margin(x))); }
  // How much each feature moved the margin along the paths taken (Saabas: the change of
  // the node's mean value at each split, summed per feature); `out` has features()
  // entries. bias + sum(out) == margin(x).
  void contributions(std::span<const double> x, std::span<double> out, double* bias) const;

 private:
  struct Node {
    float threshold = 0;   // go left when x < threshold
    int32_t feature = -1;  // -1: a leaf
    uint32_t left = 0;     // node indexes into nodes_
    uint32_t right = 0;
    bool default_left = true;
    float value = 0;  // a leaf's value; for inner nodes the hessian-weighted mean below
  };
  // The scoring copy: 16 bytes a node, a leaf stepping to itself, so every tree takes
  // exactly depth_ steps and eight trees walk side by side without a branch per step.
  struct Step {
    float threshold;   // a leaf: +inf
    uint16_t feature;  // a leaf: 0
    uint16_t missing_right;
    uint32_t left;
    uint32_t right;  // a leaf: left == right == itself
  };
  uint32_t leaf(uint32_t root, std::span<const double> x) const;

  std::vector<Node> nodes_;
  std::vector<Step> steps_;
  std::vector<float> leaf_value_;  // by node index (0 for inner nodes)
  int depth_ = 0;                  // the deepest leaf's depth
  std::vector<uint32_t> roots_;
  double base_margin_ = 0;
  size_t features_ = 0;
};

}  // namespace wf::model
