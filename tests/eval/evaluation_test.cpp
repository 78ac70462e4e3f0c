// evaluate() and write_evaluation() on tiny models whose metrics are worked out by hand (tiny_models.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sparsepixels/error.h"
#include "sparsepixels/eval/evaluation.h"
#include "tiny_models.h"

namespace sparsepixels::eval {
namespace {

using testing::binary_test_split;
using testing::diagonal_model;
using testing::fresh_folder;
using testing::make_split;
using testing::three_class_test_split;
using testing::write_tiny_dataset;

nlohmann::json read_json(const std::string& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

TEST(Evaluate, BinaryModelInChunksMatchesTheHandComputedMetrics) {
  const auto folder = fresh_folder("evaluate_binary");
  const std::string data = (folder / "data.h5").string();
  write_tiny_dataset(data, {"background", "signal"}, binary_test_split());
  const model::Model model = diagonal_model(1, spec::LayerKind::Sigmoid);
  // Chunks of 3 events split the 8 events unevenly; the result must not notice.
  const Evaluation result = evaluate(model, "tiny.json", data, {.chunk_events = 3});
  EXPECT_EQ(result.events(), 8u);
  EXPECT_DOUBLE_EQ(result.accuracy, 5.0 / 8.0);
  EXPECT_EQ(result.confusion, (std::vector<std::vector<std::size_t>>{{2, 2}, {1, 3}}));
  ASSERT_TRUE(result.binary.has_value());
  ASSERT_TRUE(result.binary->auc.has_value());
  EXPECT_DOUBLE_EQ(*result.binary->auc, 12.0 / 16.0);
  EXPECT_EQ(result.binary->points.size(), 7u);  // 6 distinct scores and the start point
  EXPECT_TRUE(result.per_class.empty());
  EXPECT_TRUE(result.layer_ranges.empty());

  const EvaluationFiles files = write_evaluation(result, (folder / "out").string());
  EXPECT_TRUE(std::filesystem::exists(folder / "out" / "roc.csv"));
  EXPECT_TRUE(std::filesystem::exists(folder / "out" / "confusion.csv"));
  const nlohmann::json metrics = read_json(files.metrics_json);
  EXPECT_EQ(metrics["split"], "test");
  EXPECT_EQ(metrics["inference"], "float");
  EXPECT_EQ(metrics["events"], 8);
  EXPECT_DOUBLE_EQ(metrics["accuracy"].get<double>(), 0.625);
  EXPECT_DOUBLE_EQ(metrics["auc"].get<double>(), 0.75);
  EXPECT_EQ(metrics["classes"], nlohmann::json({"background", "signal"}));
  EXPECT_EQ(metrics["confusion_matrix"]["counts"], nlohmann::json({{2, 2}, {1, 3}}));
  if (program_available("gnuplot")) {
    EXPECT_TRUE(has_png_signature((folder / "out" / "roc.png").string())) << metrics.dump();
    EXPECT_EQ(metrics["files"]["roc_png"], (folder / "out" / "roc.png").string());
  }
}

TEST(Evaluate, EventsInMemoryGiveTheFileResult) {
  const auto folder = fresh_folder("evaluate_events");
  const std::string data = (folder / "data.h5").string();
  const data::Split split = binary_test_split();
  write_tiny_dataset(data, {"background", "signal"}, split);
  const model::Model model = diagonal_model(1, spec::LayerKind::Sigmoid);
  for (const bool fixed : {false, true}) {
    const Evaluation from_file = evaluate(model, "tiny.json", data, {.fixed = fixed});
    const Evaluation in_memory =
        evaluate_events(model, "tiny.json", split.x.data(), split.y.data(), split.size(),
                        {"background", "signal"}, data, {.fixed = fixed, .chunk_events = 3});
    EXPECT_EQ(metrics_json(in_memory, {}), metrics_json(from_file, {})) << "fixed " << fixed;
  }
  const Evaluation quantized =
      evaluate_events(model, "tiny.json", split.x.data(), split.y.data(), split.size(),
                      {"background", "signal"}, "memory", {.quantized = true});
  EXPECT_EQ(nlohmann::json::parse(metrics_json(quantized, {}))["inference"], "quantized");
  std::vector<std::int32_t> bad = split.y;
  bad[2] = 2;
  EXPECT_THROW(evaluate_events(model, "tiny.json", split.x.data(), bad.data(), bad.size(),
                               {"background", "signal"}, "memory"),
               Error);
  EXPECT_THROW(evaluate_events(model, "tiny.json", split.x.data(), split.y.data(), split.size(),
                               {"a", "b", "c"}, "memory"),
               Error);
  EXPECT_THROW(evaluate_events(model, "tiny.json", split.x.data(), split.y.data(), split.size(),
                               {"background", "signal"}, "memory", {.fixed = true, .quantized = true}),
               Error);
}

TEST(Evaluate, ThreeClassModelGivesPerClassAucAndNoSingleAuc) {
  const auto folder = fresh_folder("evaluate_three");
  const std::string data = (folder / "data.h5").string();
  write_tiny_dataset(data, {"a", "b", "c"}, three_class_test_split());
  const Evaluation result = evaluate(diagonal_model(3, spec::LayerKind::Softmax), "tiny.json", data);
  EXPECT_DOUBLE_EQ(result.accuracy, 0.5);
  EXPECT_EQ(result.confusion, (std::vector<std::vector<std::size_t>>{{1, 0, 1}, {1, 1, 0}, {0, 1, 1}}));
  EXPECT_FALSE(result.binary.has_value());
  ASSERT_EQ(result.per_class.size(), 3u);
  EXPECT_DOUBLE_EQ(*result.per_class[0].auc, 5.0 / 8.0);
  EXPECT_DOUBLE_EQ(*result.per_class[1].auc, 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(*result.per_class[2].auc, 6.0 / 8.0);

  const EvaluationFiles files = write_evaluation(result, (folder / "out").string());
  for (const char* name : {"roc_0_a.csv", "roc_1_b.csv", "roc_2_c.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(folder / "out" / name)) << name;
  }
  const nlohmann::json metrics = read_json(files.metrics_json);
  EXPECT_TRUE(metrics["auc"].is_null());
  EXPECT_NE(metrics["auc_undefined_reason"].get<std::string>().find("3 classes"), std::string::npos);
  EXPECT_DOUBLE_EQ(metrics["per_class"][0]["auc"].get<double>(), 0.625);
  EXPECT_EQ(metrics["per_class"][1]["positives"], 2);
  EXPECT_EQ(metrics["per_class"][1]["negatives"], 4);
}

TEST(Evaluate, AClassMissingFromTheSplitGivesANullAucWithAReason) {
  const auto folder = fresh_folder("evaluate_missing_class");
  const std::string data = (folder / "data.h5").string();
  write_tiny_dataset(data, {"a", "b", "c"},
                     make_split({{3, 0, 0, 0}, {0, 2, 0, 0}, {1, 0, 0, 0}}, {0, 1, 0}));
  const Evaluation result = evaluate(diagonal_model(3, spec::LayerKind::Softmax), "tiny.json", data);
  EXPECT_DOUBLE_EQ(result.accuracy, 1.0);
  ASSERT_EQ(result.per_class.size(), 3u);
  EXPECT_FALSE(result.per_class[2].auc.has_value());
  const EvaluationFiles files = write_evaluation(result, (folder / "out").string());
  EXPECT_FALSE(std::filesystem::exists(folder / "out" / "roc_2_c.csv"));
  const nlohmann::json metrics = read_json(files.metrics_json);
  EXPECT_TRUE(metrics["per_class"][2]["auc"].is_null());
  EXPECT_NE(metrics["per_class"][2]["undefined_reason"].get<std::string>().find("no positive events"),
            std::string::npos);
}

TEST(Evaluate, FixedInferenceReportsLayerRangesAndOutOfRangeCounts) {
  const auto folder = fresh_folder("evaluate_fixed");
  const std::string data = (folder / "data.h5").string();
  // Dense results in ap_fixed<8,3> hold [-4, 4): the logit 6 of the extra last event wraps (to -2).
  data::Split test = binary_test_split();
  test.x.insert(test.x.end(), {6, 0, 0, 0});
  test.y.push_back(1);
  write_tiny_dataset(data, {"background", "signal"}, test);
  const model::Model model = diagonal_model(1, spec::LayerKind::Sigmoid, "ap_fixed<8,3>");
  const Evaluation result = evaluate(model, "tiny.json", data, {.fixed = true, .chunk_events = 4});
  ASSERT_EQ(result.layer_ranges.size(), 3u);
  const LayerRange& dense = result.layer_ranges[1];
  EXPECT_EQ(dense.layer, "dense");
  EXPECT_EQ(dense.result_type, "ap_fixed<8,3>");
  EXPECT_EQ(dense.overflow_mode, "AP_WRAP");
  EXPECT_EQ(dense.values, 9u);
  EXPECT_EQ(dense.nonzero, 9u);
  EXPECT_EQ(dense.out_of_range, 1u);
  EXPECT_EQ(dense.min_value, -2.0);
  EXPECT_EQ(dense.max_value, 2.0);
  // The wrapped logit -2 turns a sure signal into background: accuracy 5/9; the first 8 events keep
  // their order under the monotonic sigmoid table, and the extra positive ties with the negative at
  // -2: AUC = (12 + 0.5 + 0 + 0 + 0) / (5 * 4).
  EXPECT_DOUBLE_EQ(result.accuracy, 5.0 / 9.0);
  EXPECT_DOUBLE_EQ(*result.binary->auc, 12.5 / 20.0);
  const EvaluationFiles files = write_evaluation(result, (folder / "out").string());
  const nlohmann::json metrics = read_json(files.metrics_json);
  EXPECT_EQ(metrics["inference"], "fixed");
  EXPECT_EQ(metrics["layer_ranges"][1]["out_of_range"], 1);
  EXPECT_NE(format_summary(result).find("1 (wrapped)"), std::string::npos) << format_summary(result);
}

TEST(Evaluate, ModelAndDatasetThatDoNotFitAreRejectedNamingBothFiles) {
  const auto folder = fresh_folder("evaluate_mismatch");
  const std::string data = (folder / "data.h5").string();
  write_tiny_dataset(data, {"a", "b", "c"}, three_class_test_split());
  try {
    evaluate(diagonal_model(1, spec::LayerKind::Sigmoid), "binary.json", data);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("binary.json"), std::string::npos) << message;
    EXPECT_NE(message.find(data), std::string::npos) << message;
    EXPECT_NE(message.find("3 classes"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace sparsepixels::eval
