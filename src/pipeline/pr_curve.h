// Precision and recall at every score threshold (flag when score >= t), the area under
// the precision-recall curve (average precision), and the curve drawn as SVG: what eval
// reports beside the decisions' own confusion matrix.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/confusion.h"

namespace wf::pipeline {

class ScoreCurve {
 public:
  static constexpr int kMaxScore = 100;

  // Scores 0..max_score: the rules' 0..100, or a model's probability in steps of
  // 1/max_score.
  explicit ScoreCurve(int max_score = kMaxScore)
      : max_score_(max_score),
        fraud_(static_cast<size_t>(max_score) + 1),
        legit_(static_cast<size_t>(max_score) + 1) {}

  // One event: its score (0..max_score; below 0 for an event never scored, which no
  // threshold flags) and its label.
  void add(int score, bool fraud);
  int max_score() const { return max_score_; }

  struct Point {
    int threshold = 0;  // flag when score >= threshold
    Confusion at;
  };
  // A point per threshold that changes the decisions (each distinct score above 0),
  // highest threshold first: recall rises along the list.
  std::vector<Point> points() const;
  // Average precision: the sum over the points of (recall gained) x precision there.
  double auprc() const;
  int64_t positives() const;

 private:
  int max_score_;
  std::vector<int64_t> fraud_;
  std::vector<int64_t> legit_;
  int64_t unscored_fraud_ = 0;
  int64_t unscored_legit_ = 0;
};

// A precision-recall chart: one curve per series, an optional point for a baseline
// detector (its precision and recall), and the title.
struct PrSeries {
  std::string name;
  std::vector<ScoreCurve::Point> points;
  double auprc = 0;
};
std::string pr_curve_svg(const std::string& title, const std::vector<PrSeries>& series,
                         const Confusion* baseline);

}  // namespace wf::pipeline
