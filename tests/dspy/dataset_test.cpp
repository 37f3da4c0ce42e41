#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/dataset.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pipeline::dspy {
namespace {

namespace fs = std::filesystem;

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-dataset-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  Signature sig_ = *parse_signature_string("question, k: int -> answer");
  fs::path dir_;
};

TEST_F(DatasetTest, JsonlAcceptsTheThreeRowShapes) {
  auto f = write("d.jsonl",
                 "{\"input\": {\"question\": \"q1\", \"k\": 1}, \"output\": {\"answer\": \"a1\"}}\n"
                 "\n"
                 "{\"question\": \"q2\", \"k\": 2, \"answer\": \"a2\", \"extra\": true}\n"
                 "{\"input\": {\"question\": \"q3\", \"k\": 3}, \"expected_output\": \"a3\"}\n");
  auto ds = load_dataset(f, sig_);
  ASSERT_TRUE(ds) << ds.status().message();
  ASSERT_TRUE(ds->bad.empty()) << ds->bad[0].to_string();
  ASSERT_EQ(ds->rows.size(), 3u);
  EXPECT_EQ(ds->rows[1].inputs.at("question"), "q2");
  EXPECT_FALSE(ds->rows[1].inputs.contains("extra"));
  EXPECT_EQ(ds->rows[1].line, 3);
  EXPECT_EQ(ds->rows[2].outputs.at("answer"), "a3");
}

TEST_F(DatasetTest, BadRowsAreReportedWithFileAndLine) {
  auto f = write("d.jsonl",
                 "{\"question\": \"q1\", \"k\": 1, \"answer\": \"a\"}\n"
                 "{not json\n"
                 "{\"question\": \"q3\", \"answer\": \"a\"}\n"
                 "{\"question\": \"q4\", \"k\": 4}\n"
                 "[1]\n");
  auto ds = load_dataset(f, sig_);
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->rows.size(), 1u);
  ASSERT_EQ(ds->bad.size(), 4u);
  EXPECT_EQ(ds->bad[0].line, 2);
  EXPECT_EQ(ds->bad[1].to_string(), f.string() + ":3: missing input field 'k'");
  EXPECT_EQ(ds->bad[2].to_string(),
            f.string() + ":4: no expected value for any output field (answer)");
  EXPECT_EQ(ds->bad[3].to_string(), f.string() + ":5: a row is a JSON object, found an array");
}

TEST_F(DatasetTest, JsonArrayRowsKnowTheirLines) {
  auto f = write(
      "d.json",
      "[\n  {\"question\": \"q1\", \"k\": 1, \"answer\": \"a\"},\n\n  {\"question\": \"q2\"}\n]\n");
  auto ds = load_dataset(f, sig_);
  ASSERT_TRUE(ds);
  ASSERT_EQ(ds->rows.size(), 1u);
  EXPECT_EQ(ds->rows[0].line, 2);
  ASSERT_EQ(ds->bad.size(), 1u);
  EXPECT_EQ(ds->bad[0].line, 4);
  EXPECT_FALSE(load_dataset(write("o.json", "{}"), sig_));
}

TEST_F(DatasetTest, CsvWithQuotedCellsAndTypedColumns) {
  auto f = write("d.csv",
                 "question,k,answer\n\"a, b\",2,\"say \"\"hi\"\"\"\n\"multi\nline\",3,x\nq,4\n");
  auto ds = load_dataset(f, sig_);
  ASSERT_TRUE(ds);
  ASSERT_EQ(ds->rows.size(), 2u);
  EXPECT_EQ(ds->rows[0].inputs.at("question"), "a, b");
  EXPECT_EQ(ds->rows[0].inputs.at("k"), 2);
  EXPECT_EQ(ds->rows[0].outputs.at("answer"), "say \"hi\"");
  EXPECT_EQ(ds->rows[1].inputs.at("question"), "multi\nline");
  EXPECT_EQ(ds->rows[1].line, 3);
  ASSERT_EQ(ds->bad.size(), 1u);
  EXPECT_EQ(ds->bad[0].line, 5);
}

TEST_F(DatasetTest, InlineExamplesFromYaml) {
  Diagnostics d;
  auto doc = load_yaml_string(
      "examples:\n  - {question: q1, k: 1, answer: a1}\n  - {question: q2}\n", "wf.yaml", d);
  auto ds = dataset_from_yaml((*doc)["examples"], "wf.yaml", sig_);
  ASSERT_EQ(ds.rows.size(), 1u);
  ASSERT_EQ(ds.bad.size(), 1u);
  EXPECT_EQ(ds.bad[0].to_string(), "wf.yaml:3: missing input field 'k'");
}

TEST_F(DatasetTest, UnknownFormatIsRefused) {
  auto r = load_dataset(write("d.txt", ""), sig_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("unknown dataset format '.txt'"), std::string::npos);
}

TEST_F(DatasetTest, SeededSplitIsDeterministicAndDisjoint) {
  std::vector<DatasetRow> rows(10);
  for (int i = 0; i < 10; ++i) rows[static_cast<std::size_t>(i)].line = i;
  auto a = split_dataset(rows, 0.3, 7);
  auto b = split_dataset(rows, 0.3, 7);
  auto c = split_dataset(rows, 0.3, 8);
  ASSERT_EQ(a.train.size(), 7u);
  ASSERT_EQ(a.validation.size(), 3u);
  std::vector<int> la, lb, lc;
  for (const auto* s : {&a, &b, &c}) {
    auto& l = s == &a ? la : s == &b ? lb : lc;
    for (const auto& r : s->train) l.push_back(r.line);
    for (const auto& r : s->validation) l.push_back(r.line);
  }
  EXPECT_EQ(la, lb);
  EXPECT_NE(la, lc);
  std::vector<int> sorted = la;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(split_dataset(rows, 0.01, 1).validation.size(), 1u);
}

}  // namespace
}  // namespace pipeline::dspy
