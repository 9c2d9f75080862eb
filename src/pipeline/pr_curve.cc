#include "pipeline/pr_curve.h"

#include <algorithm>
#include <cstdio>

namespace wf::pipeline {

void ScoreCurve::add(int score, bool fraud) {
  if (score < 0) {
    (fraud ? unscored_fraud_ : unscored_legit_) += 1;
    return;
  }
  const size_t s = static_cast<size_t>(std::min(score, max_score_));
  (fraud ? fraud_ : legit_)[s] += 1;
}

int64_t ScoreCurve::positives() const {
  int64_t n = unscored_fraud_;
  for (int64_t v : fraud_) n += v;
  return n;
}

std::vector<ScoreCurve::Point> ScoreCurve::points() const {
  const int64_t all_fraud = positives();
  int64_t all_legit = unscored_legit_;
  for (int64_t v : legit_) all_legit += v;
  std::vector<Point> out;
  int64_t tp = 0, fp = 0;
  for (int t = max_score_; t >= 1; --t) {
    const size_t s = static_cast<size_t>(t);
    if (fraud_[s] == 0 && legit_[s] == 0) continue;
    tp += fraud_[s];
    fp += legit_[s];
    Point p;
    p.threshold = t;
    p.at.tp = tp;
    p.at.fp = fp;
    p.at.fn = all_fraud - tp;
    p.at.tn = all_legit - fp;
    out.push_back(p);
  }
  return out;
}

double ScoreCurve::auprc() const {
  double area = 0, recall = 0;
  for (const Point& p : points()) {
    area += (p.at.recall() - recall) * p.at.precision();
    recall = p.at.recall();
  }
  return area;
}

namespace {

std::string fmt(const char* format, double a, double b = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string pr_curve_svg(const std::string& title, const std::vector<PrSeries>& series,
                         const Confusion* baseline) {
  // 640 x 480 with the plot in [70, 590] x [50, 410]: recall right, precision up.
  constexpr double kLeft = 70, kRight = 590, kTop = 50, kBottom = 410;
  auto x = [&](double recall) { return kLeft + recall * (kRight - kLeft); };
  auto y = [&](double precision) { return kBottom - precision * (kBottom - kTop); };
  static const char* const kColors[] = {"#2563eb", "#dc2626", "#16a34a", "#9333ea"};
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"480\" "
      "viewBox=\"0 0 640 480\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"640\" height=\"480\" fill=\"white\"/>\n"
      "<text x=\"320\" y=\"28\" text-anchor=\"middle\" font-size=\"15\">" +
      escape(title) + "</text>\n";
  for (int i = 0; i <= 10; ++i) {  // grid and ticks
    const double v = i / 10.0;
    svg += "<line x1=\"" + fmt("%.1f", x(v)) + "\" y1=\"" + fmt("%.1f", kTop) + "\" x2=\"" +
           fmt("%.1f", x(v)) + "\" y2=\"" + fmt("%.1f", kBottom) +
           "\" stroke=\"#e5e7eb\"/>\n<line x1=\"" + fmt("%.1f", kLeft) + "\" y1=\"" +
           fmt("%.1f", y(v)) + "\" x2=\"" + fmt("%.1f", kRight) + "\" y2=\"" + fmt("%.1f", y(v)) +
           "\" stroke=\"#e5e7eb\"/>\n";
    svg += "<text x=\"" + fmt("%.1f", x(v)) + "\" y=\"" + fmt("%.1f", kBottom + 16) +
           "\" text-anchor=\"middle\">" + fmt("%.1f", v) + "</text>\n";
    svg += "<text x=\"" + fmt("%.1f", kLeft - 8) + "\" y=\"" + fmt("%.1f", y(v) + 4) +
           "\" text-anchor=\"end\">" + fmt("%.1f", v) + "</text>\n";
  }
  svg += "<text x=\"" + fmt("%.1f", (kLeft + kRight) / 2) +
         "\" y=\"445\" text-anchor=\"middle\">recall</text>\n"
         "<text x=\"18\" y=\"230\" text-anchor=\"middle\" transform=\"rotate(-90 18 230)\">"
         "precision</text>\n";
  // The legend in the lower left, where a useful curve never goes.
  const size_t lines = series.size() + (baseline != nullptr ? 1 : 0);
  double legend_y = kBottom - 10 - 16.0 * static_cast<double>(lines > 0 ? lines - 1 : 0);
  for (size_t i = 0; i < series.size(); ++i) {
    const PrSeries& s = series[i];
    const char* color = kColors[i % 4];
    // Steps: from (0, first precision) through each point, as average precision counts.
    std::string path;
    double recall = 0;
    for (const ScoreCurve::Point& p : s.points) {
      const double pr = p.at.precision();
      path += (path.empty() ? "M" : " L") + fmt("%.1f,%.1f", x(recall), y(pr));
      path += " L" + fmt("%.1f,%.1f", x(p.at.recall()), y(pr));
      recall = p.at.recall();
    }
    if (!path.empty()) {
      svg +=
          "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"/>\n";
    }
    for (const ScoreCurve::Point& p : s.points) {
      svg += "<circle cx=\"" + fmt("%.1f", x(p.at.recall())) + "\" cy=\"" +
             fmt("%.1f", y(p.at.precision())) + "\" r=\"3\" fill=\"" + color +
             "\"><title>score >= " + std::to_string(p.threshold) + ": precision " +
             fmt("%.3f", p.at.precision()) + ", recall " + fmt("%.3f", p.at.recall()) +
             "</title></circle>\n";
    }
    svg += "<text x=\"" + fmt("%.1f", kLeft + 12) + "\" y=\"" + fmt("%.1f", legend_y) +
           "\" fill=\"" + color + "\">" + escape(s.name) + " (AUPRC " + fmt("%.3f", s.auprc) +
           ")</text>\n";
    legend_y += 16;
  }
  if (baseline != nullptr) {
    const double bx = x(baseline->recall()), by = y(baseline->precision());
    svg += "<rect x=\"" + fmt("%.1f", bx - 5) + "\" y=\"" + fmt("%.1f", by - 5) +
           "\" width=\"10\" height=\"10\" fill=\"#f59e0b\"/>\n<text x=\"" +
           fmt("%.1f", kLeft + 12) + "\" y=\"" + fmt("%.1f", legend_y) +
           "\" fill=\"#b45309\">baseline detector: precision " +
           fmt("%.3f", baseline->precision()) + ", recall " + fmt("%.3f", baseline->recall()) +
           "</text>\n";
  }
  svg += "<rect x=\"" + fmt("%.1f", kLeft) + "\" y=\"" + fmt("%.1f", kTop) + "\" width=\"" +
         fmt("%.1f", kRight - kLeft) + "\" height=\"" + fmt("%.1f", kBottom - kTop) +
         "\" fill=\"none\" stroke=\"#6b7280\"/>\n</svg>\n";
  return svg;
}

}  // namespace wf::pipeline
