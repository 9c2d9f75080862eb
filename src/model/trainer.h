// Trains a fraud classifier with XGBoost's C API (Debian's libxgboost): gradient-boosted
// trees on the model features, binary:logistic, the rare class weighted up by the ratio
// of legitimate to fraudulent training rows, rounds added while the validation set's
// AUPRC improves (early stopping), and the model cut back to its best round. The caller
// splits by time: validation rows are later than every training row.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace wf::model {

// Rows of `features` values each (NaN: missing), row after row.
struct Matrix {
  size_t features = 0;
  std::vector<float> values;
  std::vector<float> labels;  // 1 fraud, 0 not
  size_t rows() const { return labels.size(); }
};

struct TrainOptions {
  // Few, shallow trees: scoring walks every tree for every event (about a microsecond for
  // 100 trees of depth 5), and fraud data rarely needs more.
  int max_rounds = 150;
  int early_stopping_rounds = 20;  // stop after this many rounds without a better AUPRC
  int max_depth = 5;
  double eta = 0.3;
  double subsample = 0.9;
  double colsample_bytree = 0.9;
  double min_child_weight = 1;
  int threads = 2;
  uint64_t seed = 0;
  // The weight of a fraud row: 0 = legitimate / fraud rows in the training set.
  double scale_pos_weight = 0;
};

struct TrainResult {
  std::string booster_json;  // XGBoost's JSON model, cut at the best round
  int rounds = 0;            // rounds kept
  double scale_pos_weight = 0;
  std::vector<double> valid_auprc;  // per round, as XGBoost evaluated it
};

Result<TrainResult> train(const Matrix& training, const Matrix& validation,
                          const TrainOptions& options);

}  // namespace wf::model
