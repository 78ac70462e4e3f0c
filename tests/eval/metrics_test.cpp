// Metrics against hand-computed cases and a brute-force pairwise count.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>

#include "sparsepixels/error.h"
#include "sparsepixels/eval/metrics.h"
#include "tiny_models.h"

namespace sparsepixels::eval {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The reference AUC: every (positive, negative) pair, counting 1 when the positive scores higher and 1/2
// on a tie, divided by the number of pairs.
double brute_force_auc(const std::vector<double>& scores, const std::vector<std::int32_t>& labels,
                       std::int32_t positive) {
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != positive) continue;
    for (std::size_t j = 0; j < scores.size(); ++j) {
      if (labels[j] == positive) continue;
      pairs += 1;
      wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
    }
  }
  return wins / pairs;
}

// The area under the polyline through the points (trapezoids), the geometric definition of AUC.
double trapezoid_area(const std::vector<RocPoint>& points) {
  double area = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    area += (points[i].false_positive_rate - points[i - 1].false_positive_rate) *
            (points[i].true_positive_rate + points[i - 1].true_positive_rate) / 2;
  }
  return area;
}

TEST(Roc, TiedScoresCountHalfAndGiveOnePointPerThreshold) {
  // Positives 0.9, 0.8, 0.3; negatives 0.8, 0.3, 0.1. Pairs won: 3 + (0.5 + 2) + (0.5 + 1) = 7 of 9.
  const RocCurve curve = roc_curve({0.9, 0.8, 0.8, 0.3, 0.3, 0.1}, {1, 1, 0, 1, 0, 0}, 1);
  ASSERT_TRUE(curve.auc.has_value());
  EXPECT_DOUBLE_EQ(*curve.auc, 7.0 / 9.0);
  EXPECT_EQ(curve.positives, 3u);
  EXPECT_EQ(curve.negatives, 3u);
  const std::vector<RocPoint> expected{{0, 0, std::numeric_limits<double>::infinity()},
                                       {0, 1.0 / 3, 0.9},
                                       {1.0 / 3, 2.0 / 3, 0.8},
                                       {2.0 / 3, 1, 0.3},
                                       {1, 1, 0.1}};
  ASSERT_EQ(curve.points.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_DOUBLE_EQ(curve.points[i].false_positive_rate, expected[i].false_positive_rate) << i;
    EXPECT_DOUBLE_EQ(curve.points[i].true_positive_rate, expected[i].true_positive_rate) << i;
    EXPECT_EQ(curve.points[i].threshold, expected[i].threshold) << i;
  }
}

TEST(Roc, PerfectReversedAndConstantClassifiers) {
  const std::vector<std::int32_t> labels{0, 1, 0, 1, 1};
  const RocCurve perfect = roc_curve({0.1, 0.7, 0.2, 0.9, 0.8}, labels, 1);
  EXPECT_EQ(perfect.auc, 1.0);
  EXPECT_EQ(perfect.points[1].false_positive_rate, 0.0);
  const RocCurve reversed = roc_curve({0.9, 0.2, 0.8, 0.1, 0.3}, labels, 1);
  EXPECT_EQ(reversed.auc, 0.0);
  // One score for every event: a single threshold, the chance diagonal from (0,0) to (1,1).
  const RocCurve constant = roc_curve({0.5, 0.5, 0.5, 0.5, 0.5}, labels, 1);
  EXPECT_EQ(constant.auc, 0.5);
  ASSERT_EQ(constant.points.size(), 2u);
  EXPECT_EQ(constant.points[1].false_positive_rate, 1.0);
  EXPECT_EQ(constant.points[1].true_positive_rate, 1.0);
  // The positive label picks the class: the same scores for class 0 reverse the perfect classifier.
  EXPECT_EQ(roc_curve({0.1, 0.7, 0.2, 0.9, 0.8}, labels, 0).auc, 0.0);
}

TEST(Roc, OneClassOnlyLeavesTheAucUndefinedWithAReason) {
  const RocCurve no_negatives = roc_curve({0.1, 0.4}, {1, 1}, 1);
  EXPECT_FALSE(no_negatives.auc.has_value());
  EXPECT_TRUE(no_negatives.points.empty());
  EXPECT_NE(no_negatives.undefined_reason.find("no negative events"), std::string::npos)
      << no_negatives.undefined_reason;
  const RocCurve no_positives = roc_curve({0.1, 0.4}, {0, 2}, 1);
  EXPECT_FALSE(no_positives.auc.has_value());
  EXPECT_NE(no_positives.undefined_reason.find("no positive events"), std::string::npos)
      << no_positives.undefined_reason;
}

TEST(Roc, RejectsNonFiniteScoresAndMismatchedSizes) {
  try {
    roc_curve({0.1, std::nan(""), 0.3}, {0, 1, 1}, 1);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("event 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(roc_curve({0.1, 0.2}, {0}, 1), Error);
}

TEST(Roc, MatchesBruteForcePairCountOnRandomTiedScores) {
  std::mt19937_64 random(7);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t events = 50 + random() % 150;
    std::vector<double> scores(events);
    std::vector<std::int32_t> labels(events);
    // Few distinct values make many ties; labels lean on the score so the AUC is not always 1/2.
    for (std::size_t i = 0; i < events; ++i) {
      scores[i] = static_cast<double>(random() % 12) / 11.0;
      labels[i] = (random() % 12) < (scores[i] * 8 + 2) ? 1 : 0;
    }
    const RocCurve curve = roc_curve(scores, labels, 1);
    ASSERT_TRUE(curve.auc.has_value());
    EXPECT_NEAR(*curve.auc, brute_force_auc(scores, labels, 1), 1e-14) << trial;
    EXPECT_NEAR(trapezoid_area(curve.points), *curve.auc, 1e-12) << trial;
    const std::set<double> distinct(scores.begin(), scores.end());
    EXPECT_EQ(curve.points.size(), distinct.size() + 1) << trial;
    EXPECT_EQ(curve.points.back().false_positive_rate, 1.0);
    EXPECT_EQ(curve.points.back().true_positive_rate, 1.0);
  }
}

TEST(Metrics, AccuracyAndConfusionMatrixByHand) {
  const std::vector<std::int32_t> labels{0, 1, 2, 2, 1, 0, 2};
  const std::vector<std::int32_t> predicted{0, 2, 2, 1, 1, 0, 2};
  EXPECT_DOUBLE_EQ(accuracy(labels, predicted), 5.0 / 7.0);
  const std::vector<std::vector<std::size_t>> expected{{2, 0, 0}, {0, 1, 1}, {0, 1, 2}};
  EXPECT_EQ(confusion_matrix(labels, predicted, 3), expected);
  EXPECT_THROW(accuracy({}, {}), Error);
  EXPECT_THROW(accuracy({0, 1}, {0}), Error);
  try {
    confusion_matrix({0, 3}, {0, 1}, 3);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("label 3 of event 1"), std::string::npos) << e.what();
  }
}

TEST(Metrics, PredictedClassesFromSigmoidAndSoftmaxOutputs) {
  // A sigmoid output of exactly 0.5 is class 0 (class 1 needs > 0.5).
  EXPECT_EQ(predicted_classes({0.2, 0.5, 0.51, 0.99}, 1), (std::vector<std::int32_t>{0, 0, 1, 1}));
  // Softmax: the largest output; the first one on a tie.
  EXPECT_EQ(predicted_classes({0.1, 0.7, 0.2, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4}, 3),
            (std::vector<std::int32_t>{1, 0, 2}));
  EXPECT_THROW(predicted_classes({0.1, 0.2, 0.3}, 2), Error);
}

TEST(Metrics, OneVsRestScoresEachClassByItsOwnOutput) {
  // Class 0: positives score 0.8, 0.5; negatives 0.1, 0.5 -> (2 + 1 + 1/2) / 4. Class 1: positives 0.9,
  // 0.3 both above negatives 0.1, 0.2 -> 1. Class 2 never occurs.
  const std::vector<double> outputs{0.8, 0.1, 0.1, 0.1, 0.9, 0.0, 0.5, 0.2, 0.3, 0.5, 0.3, 0.2};
  const std::vector<std::int32_t> labels{0, 1, 0, 1};
  const std::vector<RocCurve> curves = one_vs_rest(outputs, 3, labels);
  ASSERT_EQ(curves.size(), 3u);
  EXPECT_DOUBLE_EQ(*curves[0].auc, 3.5 / 4.0);
  EXPECT_DOUBLE_EQ(*curves[1].auc, 1.0);
  EXPECT_FALSE(curves[2].auc.has_value());
  EXPECT_THROW(one_vs_rest(outputs, 5, labels), Error);
}

TEST(Files, RocCsvHoldsOneRowPerPointWithInfiniteFirstThreshold) {
  const auto folder = testing::fresh_folder("roc_csv");
  const auto path = folder / "roc.csv";
  write_roc_csv(roc_curve({0.9, 0.8, 0.8, 0.3, 0.3, 0.1}, {1, 1, 0, 1, 0, 0}, 1), path.string());
  EXPECT_EQ(read_text(path),
            "fpr,tpr,threshold\n"
            "0,0,inf\n"
            "0,0.33333333333333331,0.90000000000000002\n"
            "0.33333333333333331,0.66666666666666663,0.80000000000000004\n"
            "0.66666666666666663,1,0.29999999999999999\n"
            "1,1,0.10000000000000001\n");
  // No temporary (util::temporary_name_for: "<name>.tmp-<pid>-<n>") is left beside the file.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(entry.path().string().rfind(std::filesystem::path(path).string() + ".tmp", 0),
              std::string::npos)
        << entry.path();
  }
}

TEST(Files, ConfusionCsvQuotesClassNames) {
  const auto folder = testing::fresh_folder("confusion_csv");
  const auto path = folder / "confusion.csv";
  write_confusion_csv({{3, 1}, {0, 4}}, {"cosmic", "neutrino, \"nu\""}, path.string());
  EXPECT_EQ(read_text(path),
            "true/predicted,\"cosmic\",\"neutrino, \"\"nu\"\"\"\n"
            "\"cosmic\",3,1\n"
            "\"neutrino, \"\"nu\"\"\",0,4\n");
  EXPECT_THROW(write_confusion_csv({{1}}, {"a", "b"}, path.string()), Error);
}

}  // namespace
}  // namespace sparsepixels::eval
