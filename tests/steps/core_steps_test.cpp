// set_variable, test_echo, data_transform and file_ops through the real core_steps plugin.
#include "step_harness.hpp"

#include <fstream>
#include <sstream>

namespace pipeline::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SetVariable, MapAndSingleFormsAndScopes) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: vars
  steps:
    - name: a
      type: set_variable
      scope: session
      variables: {x: 2, name: "n{{1 + 1}}"}
    - name: b
      type: set_variable
      variable: y
      value: "{{state.x * 10}}"
    - name: c
      type: test_echo
      value: "{{previous_response:b.y}} {{name}}"
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.variables.at("y").to_number<int>(), 20);
  EXPECT_EQ(result_of(r, "a").as_object().at("scope"), json::value("session"));
  EXPECT_EQ(result_of(r, "c"), json::value("20 n2"));
  Diagnostics d = h.check(
      "workflow:\n  name: v\n  steps:\n    - name: a\n      type: set_variable\n      scope: "
      "planet\n      variables: {x: 1}\n");
  EXPECT_NE(d.format().find("scope must be one of global, session, loop"), std::string::npos);
}

TEST(TestEcho, EchoesAndFailsOnRequest) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(
      "workflow:\n  name: e\n  steps:\n    - name: a\n      type: test_echo\n      value: {k: [1, "
      "2]}\n    - name: b\n      type: test_echo\n      fail: true\n      error_message: boom\n");
  RunResult r = h.run(wf);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(result_of(r, "a").as_object().at("k").as_array().size(), 2u);
  EXPECT_NE(r.error.find("boom"), std::string::npos);
}

TEST(DataTransform, AllOperations) {
  TempDir dir;
  StepHarness h;
  auto wf = h.load(R"(workflow:
  name: dt
  global_vars:
    orders: [{id: 1, user: 1, total: 50, status: done}, {id: 2, user: 2, total: 150, status: done},
             {id: 3, user: 1, total: 300, status: open}, {id: 4, user: 2, total: 120, status: done}]
    users: [{id: 1, tier: gold}, {id: 2, tier: silver}]
  steps:
    - name: big
      type: data_transform
      input_source: global_vars.orders
      operations:
        - {operation: filter, field: status, condition: "status == 'done'"}
        - {operation: filter, field: total, condition: "total > 100"}
        - {operation: sort, field: total, order: desc}
      output_field: big_orders
    - name: joined
      type: data_transform
      input_source: "previous_response:big_orders"
      operations:
        - {operation: join, left_field: user, right_source: global_vars.users, join_key: id}
        - {operation: map, field: tier, mapping: {silver: S}}
    - name: grouped
      type: data_transform
      input_source: global_vars.orders
      operations: [{operation: group_by, field: status}]
    - name: avg
      type: data_transform
      input_source: "previous_response:grouped.done"
      operations: [{operation: aggregate, field: total, function: average}]
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  const auto& big = result_of(r, "big").as_array();
  ASSERT_EQ(big.size(), 2u);
  EXPECT_EQ(big[0].as_object().at("id").to_number<int>(), 2);
  EXPECT_EQ(result_of(r, "joined").as_array()[0].as_object().at("tier"), json::value("S"));
  EXPECT_EQ(result_of(r, "grouped").as_object().at("done").as_array().size(), 3u);
  EXPECT_DOUBLE_EQ(result_of(r, "avg").to_number<double>(), 320.0 / 3.0);
}

TEST(FileOps, CopyMoveListConvertValidateDelete) {
  TempDir dir;
  StepHarness h;
  fs::create_directories("ws/in");
  std::ofstream("ws/in/data.csv") << "name,qty\napple,3\n\"pear, green\",5\n";
  auto wf = h.load(R"(workflow:
  name: files
  workspace_dir: ws
  steps:
    - {name: copy, type: file_ops, operation: copy, source: in/data.csv, destination: out/data.csv}
    - {name: to_json, type: file_ops, operation: convert, source: out/data.csv, destination: out/data.json}
    - {name: to_yaml, type: file_ops, operation: convert, source: out/data.json, destination: out/data.yaml}
    - {name: back, type: file_ops, operation: convert, source: out/data.yaml, destination: out/again.csv}
    - {name: move, type: file_ops, operation: move, source: out/again.csv, destination: out/moved.csv}
    - {name: list, type: file_ops, operation: list, path: out, pattern: "*.csv"}
    - name: check
      type: file_ops
      operation: validate
      files: [{path: out/data.json, must_exist: true, min_size: 10}]
    - {name: remove, type: file_ops, operation: delete, path: out/moved.csv}
)");
  RunResult r = h.run(wf);
  ASSERT_TRUE(r.success) << r.error;
  auto doc = json::parse(slurp("ws/out/data.json"));
  EXPECT_EQ(doc.as_array()[1].as_object().at("name"), json::value("pear, green"));
  const auto& files = result_of(r, "list").as_object().at("files").as_array();
  EXPECT_EQ(files.size(), 2u);  // data.csv, moved.csv
  EXPECT_FALSE(fs::exists("ws/out/moved.csv"));
  EXPECT_EQ(slurp("ws/out/data.csv"), slurp("ws/in/data.csv"));
}

TEST(FileOps, PathsLeavingTheWorkspaceAreRefused) {
  TempDir dir;
  StepHarness h;
  fs::create_directories("ws");
  std::ofstream("secret.txt") << "secret";
  fs::create_directory_symlink(fs::current_path(), "ws/link");
  auto run = [&](const std::string& src) {
    auto wf = h.load(
        "workflow:\n  name: esc\n  workspace_dir: ws\n  steps:\n    - name: c\n"
        "      type: file_ops\n      operation: copy\n      source: \"{{inputs.src}}\"\n"
        "      destination: stolen.txt\n");
    ExecutorOptions o;
    o.inputs["src"] = src;
    return h.run(wf, std::move(o));
  };
  for (const std::string& bad :
       std::vector<std::string>{"../secret.txt", "a/../../secret.txt", "/etc/hostname",
                                (fs::current_path() / "secret.txt").string(), "link/secret.txt"}) {
    RunResult r = run(bad);
    EXPECT_FALSE(r.success) << bad;
    EXPECT_NE(r.error.find("PERMISSION_DENIED"), std::string::npos) << bad << ": " << r.error;
  }
  EXPECT_FALSE(fs::exists("ws/stolen.txt"));
  // Literal escapes are caught before the run, with the field's location.
  Diagnostics d = h.check(
      "workflow:\n  name: esc\n  steps:\n    - name: c\n      type: file_ops\n"
      "      operation: delete\n      path: ../x\n",
      "esc.yaml");
  EXPECT_NE(d.format().find("esc.yaml:7:7: error"), std::string::npos) << d.format();
}

}  // namespace
}  // namespace pipeline::testing
