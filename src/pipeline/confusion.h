// Precision, recall and F1 of binary decisions (FLAG or not) against labels (fraud or
// not): used by eval and backtest.
#pragma once

#include <cstdint>

namespace wf::pipeline {

struct Confusion {
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
  double precision() const { return tp + fp == 0 ? 0.0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 0.0 : double(tp) / double(tp + fn); }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
  void add(bool predicted, bool actual) {
    (predicted ? (actual ? tp : fp) : (actual ? fn : tn)) += 1;
  }
};

}  // namespace wf::pipeline
