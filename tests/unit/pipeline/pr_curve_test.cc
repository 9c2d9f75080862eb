#include "pipeline/pr_curve.h"

#include <gtest/gtest.h>

#include <fstream>

#include "codec/label_codec.h"
#include "support/temp_dir.h"

namespace wf::pipeline {
namespace {

TEST(ScoreCurve, PrecisionAndRecallAtEveryThresholdAndTheArea) {
  ScoreCurve c;
  for (auto [score, fraud] : {std::pair{90, true},
                              {80, true},
                              {40, true},
                              {80, false},
                              {10, false},
                              {0, false},
                              {-1, true}}) {
    c.add(score, fraud);
  }
  EXPECT_EQ(c.positives(), 4);  // the unscored fraud counts: no threshold catches it
  auto points = c.points();
  ASSERT_EQ(points.size(), 4u);  // 90, 80, 40, 10: a score of 0 is never flagged
  EXPECT_EQ(points[0].threshold, 90);
  EXPECT_DOUBLE_EQ(points[0].at.precision(), 1.0);
  EXPECT_DOUBLE_EQ(points[0].at.recall(), 0.25);
  EXPECT_EQ(points[1].threshold, 80);
  EXPECT_DOUBLE_EQ(points[1].at.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(points[2].at.recall(), 0.75);
  EXPECT_EQ(points[3].threshold, 10);
  EXPECT_EQ(points[3].at.fp, 2);
  EXPECT_EQ(points[3].at.tn, 1);
  EXPECT_EQ(points[3].at.fn, 1);
  EXPECT_NEAR(c.auprc(), 0.25 * 1.0 + 0.25 * (2.0 / 3.0) + 0.25 * 0.75, 1e-12);
}

TEST(ScoreCurve, APerfectRankingHasAreaOne) {
  ScoreCurve c;
  for (int i = 0; i < 50; ++i) c.add(95, true);
  for (int i = 0; i < 500; ++i) c.add(i % 60, false);
  EXPECT_DOUBLE_EQ(c.auprc(), 1.0);
}

TEST(PrCurveSvg, DrawsEachPointTheBaselineAndEscapesText) {
  ScoreCurve c;
  c.add(90, true);
  c.add(50, false);
  c.add(50, true);
  Confusion baseline{1, 0, 1, 1};
  const std::string svg = pr_curve_svg("a <b> & c", {{"rules", c.points(), c.auprc()}}, &baseline);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("a &lt;b&gt; &amp; c"), std::string::npos);
  size_t circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 2u);
  EXPECT_NE(svg.find("rules (AUPRC 0.833)"), std::string::npos) << svg;
  EXPECT_NE(svg.find("baseline detector: precision 1.000, recall 0.500"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(LabelCodec, TheBaselineVerdictRoundTrips) {
  std::string text;
  codec::append_label_line(&text, "a", true, "R001", 1);
  codec::append_label_line(&text, "b", false, "", 0);
  codec::append_label_line(&text, "c", false, "");
  EXPECT_EQ(text.find("baseline", text.rfind("\"c\"")), std::string::npos);  // none: left out
  wf::testing::TempDir dir;
  std::ofstream(dir.file("l.jsonl")) << text;
  auto labels = codec::read_labels_file(dir.file("l.jsonl"));
  ASSERT_TRUE(labels.ok());
  ASSERT_EQ(labels->size(), 3u);
  EXPECT_EQ((*labels)[0].baseline, 1);
  EXPECT_EQ((*labels)[1].baseline, 0);
  EXPECT_EQ((*labels)[2].baseline, -1);
}

}  // namespace
}  // namespace wf::pipeline
