#include <pipeline/config/source_map.hpp>
#include <pipeline/config/yaml_json.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

SourceRef mapped(const std::string& yaml) {
  Diagnostics d;
  auto doc = load_yaml_string(yaml, "wf.yaml", d);
  EXPECT_TRUE(doc) << d.format();
  return SourceRef(SourceMap::of(*doc, "wf.yaml"));
}

TEST(SourceMap, LocatesValuesAndKeysByPath) {
  SourceRef root = mapped("workflow:\n  steps:\n    - name: a\n      type: claude\n");
  SourceRef step = root.child("workflow").child("steps").child(0);
  EXPECT_EQ(step.where().to_string(), "wf.yaml:3:7");
  EXPECT_EQ(step.key_where("type").to_string(), "wf.yaml:4:7");
  EXPECT_EQ(step.child("type").where().to_string(), "wf.yaml:4:13");
  EXPECT_EQ(step.file(), "wf.yaml");
}

TEST(SourceMap, WhatWasNotWrittenIsLocatedAtItsNearestWrittenParent) {
  SourceRef root = mapped("workflow:\n  steps:\n    - name: a\n");
  SourceRef step = root.child("workflow").child("steps").child(0);
  EXPECT_EQ(step.key_where("condition").to_string(), "wf.yaml:3:7");
  EXPECT_EQ(step.child("prompt").child(2).where().to_string(), "wf.yaml:3:7");
}

TEST(SourceMap, DottedFieldsFindTheInnermostWrittenKey) {
  SourceRef step = mapped("name: a\nclaude_options:\n  allowed_tools: [x]\n  max_turns: 3\n");
  EXPECT_EQ(step.field_where("claude_options.max_turns").to_string(), "wf.yaml:4:3");
  EXPECT_EQ(step.field_where("claude_options").to_string(), "wf.yaml:2:1");
  // A key that is not there: the map it would be in.
  EXPECT_EQ(step.field_where("claude_options.nope").to_string(), "wf.yaml:3:3");
}

TEST(SourceMap, KeysWithSlashesOrDotsDoNotCollide) {
  SourceRef root = mapped("\"a/b\": 1\na:\n  b: 2\n");
  EXPECT_EQ(root.key_where("a/b").to_string(), "wf.yaml:1:1");
  EXPECT_EQ(root.child("a").key_where("b").to_string(), "wf.yaml:3:3");
}

TEST(SourceRef, JsonWithoutAMapIsLocatedAtItsFallback) {
  SourceRef sent(SourceLocation{"wf.yaml", 7, 5});
  EXPECT_EQ(sent.child("steps").child(3).key_where("type").to_string(), "wf.yaml:7:5");
  EXPECT_EQ(SourceRef().where().line, 0);
}

}  // namespace
}  // namespace pipeline
