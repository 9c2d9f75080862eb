// A trained model as one file: the manifest (what it was trained on and how well it
// did), the features file it was trained with (so scoring computes exactly those
// features, with the same code), and XGBoost's JSON trees.
//
//   {"walletflow_model": 1, "manifest": {...}, "features": "<TOML>", "booster": {...}}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "model/trees.h"

namespace wf::model {

struct Manifest {
  std::string name;  // the features file's [[model_feature]] set, e.g. "paysim"
  std::vector<std::string> features;
  std::string features_version;  // hash of the features file's text (16 hex)
  std::string pack;              // name and version of the pack the features compiled with
  Instant data_from = 0;         // event time of the first training row
  Instant split_at = 0;          // validation rows are at or after this time
  Instant data_to = 0;           // event time of the last validation row
  int64_t train_rows = 0, train_frauds = 0;
  int64_t valid_rows = 0, valid_frauds = 0;
  int rounds = 0;
  double scale_pos_weight = 0;
  double valid_auprc = 0;
  // The decision policy the validation rows chose (best F1): FLAG when the model's score
  // is >= threshold, or the rules flag and the model's score is >= confirm_threshold
  // (0: every rule flag stands). The model's own figures are at `threshold`.
  double threshold = 0.5;
  double confirm_threshold = 0;
  double valid_precision = 0, valid_recall = 0, valid_f1 = 0;
  // The same for the combination (the policy above) and the rules alone.
  double combined_precision = 0, combined_recall = 0, combined_f1 = 0;
  double rules_precision = 0, rules_recall = 0, rules_f1 = 0;
  std::string trained_at;  // RFC 3339
};

struct Model {
  Manifest manifest;
  std::string features_text;  // the features file
  TreeEnsemble trees;
};

// Writes atomically (a temporary file renamed over `path`).
Status save_model(const std::string& path, const Manifest& manifest,
                  const std::string& features_text, const std::string& booster_json);
// kIo when unreadable, kConfig when not a walletflow model (with the reason).
Result<Model> load_model(const std::string& path);

}  // namespace wf::model
