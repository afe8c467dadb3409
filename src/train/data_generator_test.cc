#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "t2sql/database.h"
#include "t2sql/demo.h"
#include "t2sql/train.h"
#include "train/training_data.h"

namespace t2sql {
namespace {

namespace fs = std::filesystem;

class GenData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("t2sql_gendata_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(create_demo_warehouse((dir_ / "demo.db").string(), true).ok());
  }
  static fs::path dir_;
};
fs::path GenData::dir_;

std::vector<nlohmann::json> read_lines(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST_F(GenData, VerifiedDeduplicatedAndSplitByShape) {
  auto db = Database::open((dir_ / "demo.db").string());
  ASSERT_TRUE(db.ok());
  GenDataOptions o;
  o.out_dir = (dir_ / "out").string();
  auto r = generate_training_data(**db, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->n_train, 100);
  EXPECT_GT(r->n_valid, 20);
  const double frac = static_cast<double>(r->n_valid) / (r->n_train + r->n_valid);
  EXPECT_GT(frac, 0.1);
  EXPECT_LT(frac, 0.35);

  const auto train = read_lines(dir_ / "out" / "train.jsonl");
  const auto valid = read_lines(dir_ / "out" / "valid.jsonl");
  ASSERT_EQ(static_cast<int>(train.size()), r->n_train);
  ASSERT_EQ(static_cast<int>(valid.size()), r->n_valid);
  std::set<std::string> train_shapes, valid_shapes, questions, kinds;
  for (const auto& j : train) train_shapes.insert(j["shape"].get<std::string>());
  for (const auto& j : valid) valid_shapes.insert(j["shape"].get<std::string>());
  for (const auto& s : valid_shapes) EXPECT_EQ(train_shapes.count(s), 0u) << "shape in both splits: " << s;
  // The design documents' kinds of sales question are all there.
  for (const char* k : {"sum_measure", "filter_sum", "group_sum", "topk_group", "year_sum", "year_compare",
                        "join_group_sum", "join_topk"})
    EXPECT_TRUE(train_shapes.count(k) || valid_shapes.count(k)) << k;

  for (const auto* split : {&train, &valid})
    for (const auto& j : *split) {
      EXPECT_TRUE(questions.insert(j["question"].get<std::string>()).second) << "duplicate: " << j["question"];
      auto rs = (*db)->execute(j["answer"].get<std::string>());
      ASSERT_TRUE(rs.ok()) << j["answer"];
      EXPECT_FALSE(rs->rows.empty()) << j["answer"];
      // Each line is valid training data for `t2sql train`.
      train::TrainingExample ex;
      EXPECT_EQ(train::parse_example_line(j.dump(), &ex), "");
      EXPECT_NE(ex.schema_ddl.find("CREATE TABLE sales"), std::string::npos);
    }
  const auto chat = read_lines(dir_ / "out" / "train.chat.jsonl");
  ASSERT_EQ(chat.size(), train.size());
  train::TrainingExample ex;
  ASSERT_EQ(train::parse_example_line(chat[0].dump(), &ex), "");
  EXPECT_EQ(ex.question, train[0]["question"].get<std::string>());
}

TEST_F(GenData, RefusesABadFractionAndWritesNothing) {
  auto db = Database::open((dir_ / "demo.db").string());
  ASSERT_TRUE(db.ok());
  GenDataOptions o;
  o.out_dir = (dir_ / "refused").string();
  o.valid_fraction = 1.5;
  auto r = generate_training_data(**db, o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(o.out_dir));
}

}  // namespace
}  // namespace t2sql
