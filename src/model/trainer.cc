#include "model/trainer.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

namespace wf::model {
namespace {

Error xgb_error(const char* what) {
  return make_error(Errc::kFailed, std::string("XGBoost: ") + what + ": " + XGBGetLastError());
}

struct DMatrixFree {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
struct BoosterFree {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using DMatrix = std::unique_ptr<void, DMatrixFree>;
using Booster = std::unique_ptr<void, BoosterFree>;

Result<DMatrix> dmatrix(const Matrix& m, int threads) {
  DMatrixHandle h = nullptr;
  if (XGDMatrixCreateFromMat_omp(m.values.data(), m.rows(), m.features,
                                 std::numeric_limits<float>::quiet_NaN(), &h, threads) != 0) {
    return xgb_error("creating a matrix");
  }
  DMatrix out(h);
  if (XGDMatrixSetFloatInfo(h, "label", m.labels.data(), m.rows()) != 0) {
    return xgb_error("setting labels");
  }
  return out;
}

// "[12]\tvalid-aucpr:0.93512" -> 0.93512
double metric_of(const char* text) {
  const char* colon = std::strrchr(text, ':');
  return colon == nullptr ? std::nan("") : std::strtod(colon + 1, nullptr);
}

}  // namespace

Result<TrainResult> train(const Matrix& training, const Matrix& validation, const TrainOptions& o) {
  if (training.rows() == 0 || validation.rows() == 0) {
    return make_error(Errc::kInvalidArgument, "training and validation sets must not be empty");
  }
  if (training.values.size() != training.rows() * training.features ||
      validation.features != training.features ||
      validation.values.size() != validation.rows() * validation.features) {
    return make_error(Errc::kInvalidArgument, "feature matrices of unequal shapes");
  }
  double fraud = 0;
  for (float y : training.labels) fraud += y;
  if (fraud == 0 || fraud == static_cast<double>(training.rows())) {
    return make_error(Errc::kInvalidArgument,
                      "the training rows must hold both fraud and legitimate labels");
  }
  auto train_m = dmatrix(training, o.threads);
  if (!train_m.ok()) return train_m.take_error();
  auto valid_m = dmatrix(validation, o.threads);
  if (!valid_m.ok()) return valid_m.take_error();
  DMatrixHandle both[2] = {train_m->get(), valid_m->get()};
  BoosterHandle bh = nullptr;
  if (XGBoosterCreate(both, 2, &bh) != 0) return xgb_error("creating the booster");
  Booster booster(bh);
  TrainResult out;
  out.scale_pos_weight = o.scale_pos_weight > 0
                             ? o.scale_pos_weight
                             : (static_cast<double>(training.rows()) - fraud) / fraud;
  auto set = [&](const char* name, const std::string& value) -> Status {
    if (XGBoosterSetParam(bh, name, value.c_str()) != 0) return xgb_error(name);
    return Status::Ok();
  };
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  WF_RETURN_IF_ERROR(set("objective", "binary:logistic"));
  WF_RETURN_IF_ERROR(set("eval_metric", "aucpr"));
  WF_RETURN_IF_ERROR(set("tree_method", "hist"));
  WF_RETURN_IF_ERROR(set("base_score", "0.5"));
  WF_RETURN_IF_ERROR(set("max_depth", std::to_string(o.max_depth)));
  WF_RETURN_IF_ERROR(set("eta", num(o.eta)));
  WF_RETURN_IF_ERROR(set("subsample", num(o.subsample)));
  WF_RETURN_IF_ERROR(set("colsample_bytree", num(o.colsample_bytree)));
  WF_RETURN_IF_ERROR(set("min_child_weight", num(o.min_child_weight)));
  WF_RETURN_IF_ERROR(set("scale_pos_weight", num(out.scale_pos_weight)));
  WF_RETURN_IF_ERROR(set("nthread", std::to_string(o.threads)));
  WF_RETURN_IF_ERROR(set("seed", std::to_string(o.seed % 2'147'483'647)));
  WF_RETURN_IF_ERROR(set("verbosity", "0"));

  DMatrixHandle valid_only[1] = {valid_m->get()};
  const char* names[1] = {"valid"};
  double best = -1;
  int best_round = 0;
  for (int round = 0; round < o.max_rounds; ++round) {
    if (XGBoosterUpdateOneIter(bh, round, train_m->get()) != 0) return xgb_error("a round");
    const char* eval = nullptr;
    if (XGBoosterEvalOneIter(bh, round, valid_only, names, 1, &eval) != 0) {
      return xgb_error("evaluating a round");
    }
    const double auprc = metric_of(eval);
    out.valid_auprc.push_back(auprc);
    if (auprc > best) {
      best = auprc;
      best_round = round;
    } else if (round - best_round >= o.early_stopping_rounds) {
      break;
    }
  }
  out.rounds = best_round + 1;
  BoosterHandle sliced = nullptr;
  if (XGBoosterSlice(bh, 0, out.rounds, 1, &sliced) != 0) return xgb_error("cutting at the best");
  Booster kept(sliced);
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (XGBoosterSaveModelToBuffer(sliced, R"({"format": "json"})", &len, &buf) != 0) {
    return xgb_error("saving the model");
  }
  out.booster_json.assign(buf, len);
  return out;
}

}  // namespace wf::model
