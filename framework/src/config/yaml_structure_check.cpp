#include "config/yaml_structure_check.hpp"

#include <pipeline/sdk/limits.hpp>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <vector>

namespace pipeline {

namespace {

// Thrown from the event handler to stop at the first structural problem; the parser unwinds.
struct Refused {
  YAML::Mark mark;
  std::string message;
};

class StructureCheck : public YAML::EventHandler {
 public:
  StructureCheck(const std::string& text, const std::string& file, Diagnostics& diags)
      : text_(text), file_(file), diags_(diags) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, nullptr);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    check_quoted(mark);
    leaf(mark, anchor, &value);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    key_or_value(mark, nullptr);
    if (anchor >= anchors_.size() || !anchors_[anchor].closed) {
      std::string name = anchor < anchors_.size() ? anchors_[anchor].name : "?";
      throw Refused{mark, "alias *" + name + " refers to the node that contains it (a cycle)"};
    }
    const Anchor& a = anchors_[anchor];
    alias_nodes_ += a.nodes;
    if (alias_nodes_ > limits::kMaxAliasNodes) {
      throw Refused{mark, "aliases expand to more than " + std::to_string(limits::kMaxAliasNodes) +
                              " nodes (at alias *" + a.name + ")"};
    }
    check_depth(mark, static_cast<int>(stack_.size()) + a.depth);
    add_to_parent(a.nodes, a.depth);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    open(mark, anchor, false, style);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    open(mark, anchor, true, style);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Anchor {
    std::string name;
    bool closed = false;
    std::size_t nodes = 1;
    int depth = 0;  // container levels, itself included (0 for a scalar)
  };
  struct Frame {
    bool is_map = false;
    bool at_key = true;  // in a map: the next node is a key
    YAML::anchor_t anchor = 0;
    std::size_t nodes = 1;
    int depth = 1;  // container levels, itself included
    bool block = true;
    int column = 0;  // of the collection's first key or dash
    std::map<std::string, YAML::Mark> keys;
  };

  // Records the anchor a node carries (ids are assigned in order, from 1).
  void name_anchor(YAML::anchor_t anchor) {
    if (anchor == 0) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    anchors_[anchor].name = pending_name_;
    pending_name_.clear();
  }

  // In a map, alternates key and value; a scalar key seen before is an error.
  void key_or_value(const YAML::Mark& mark, const std::string* scalar) {
    if (stack_.empty() || !stack_.back().is_map) return;
    Frame& f = stack_.back();
    if (f.at_key && scalar != nullptr) {
      auto [it, inserted] = f.keys.emplace(*scalar, mark);
      if (!inserted) {
        diags_.error({file_, mark.line + 1, mark.column + 1},
                     "duplicate key '" + *scalar + "' in this mapping (first at line " +
                         std::to_string(it->second.line + 1) + ":" +
                         std::to_string(it->second.column + 1) + ")");
      }
    }
    f.at_key = !f.at_key;
  }

  void check_depth(const YAML::Mark& mark, int depth) {
    if (depth > limits::kMaxNestingDepth) {
      throw Refused{mark, "nested more than " + std::to_string(limits::kMaxNestingDepth) +
                              " levels deep (the limit for workflow data)"};
    }
  }

  // A finished child (a leaf, an expanded alias or a closed container) counts in its parent.
  void add_to_parent(std::size_t nodes, int container_depth) {
    if (stack_.empty()) return;
    Frame& parent = stack_.back();
    parent.nodes += nodes;
    if (container_depth + 1 > parent.depth) parent.depth = container_depth + 1;
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string* scalar) {
    key_or_value(mark, scalar);
    name_anchor(anchor);
    if (anchor != 0) anchors_[anchor].closed = true;
    add_to_parent(1, 0);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map,
            YAML::EmitterStyle::value style) {
    key_or_value(mark, nullptr);
    name_anchor(anchor);
    check_depth(mark, static_cast<int>(stack_.size()) + 1);
    Frame f;
    f.is_map = is_map;
    f.block = style != YAML::EmitterStyle::Flow;
    f.column = mark.column;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor != 0) {
      anchors_[f.anchor].closed = true;
      anchors_[f.anchor].nodes = f.nodes;
      anchors_[f.anchor].depth = f.depth;
    }
    add_to_parent(f.nodes, f.depth);
  }

  // A quoted scalar in a block collection continues only on lines indented more than the
  // collection (YAML 1.2, flow scalars in block context). yaml-cpp does not enforce that, so an
  // unclosed quote silently swallowed the rest of the file into one string: refuse it at the
  // opening quote.
  void check_quoted(const YAML::Mark& mark) {
    if (stack_.empty() || !stack_.back().block || mark.pos < 0) return;
    const std::size_t open = static_cast<std::size_t>(mark.pos);
    if (open >= text_.size() || (text_[open] != '"' && text_[open] != '\'')) return;
    const char quote = text_[open];
    const int limit = stack_.back().column;
    int line = mark.line + 1;
    for (std::size_t i = open + 1; i < text_.size(); ++i) {
      char c = text_[i];
      if (quote == '"' && c == '\\') {
        ++i;
        continue;
      }
      if (c == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;
          continue;
        }
        return;  // closed
      }
      if (c != '\n') continue;
      ++line;
      std::size_t j = i + 1;
      while (j < text_.size() && text_[j] == ' ') ++j;
      bool blank = j >= text_.size() || text_[j] == '\n' || text_[j] == '\r';
      if (!blank && static_cast<int>(j - i - 1) <= limit) {
        throw Refused{mark, std::string("the string quoted here (") + quote +
                                ") is not closed before line " + std::to_string(line) +
                                ", which is not indented enough to continue it; close the quote"};
      }
    }
  }

  const std::string& text_;
  const std::string& file_;
  Diagnostics& diags_;
  std::vector<Frame> stack_;
  std::vector<Anchor> anchors_;
  std::string pending_name_;
  std::size_t alias_nodes_ = 0;
};

}  // namespace

bool check_yaml_structure(const std::string& text, const std::string& file, Diagnostics& diags) {
  std::size_t before = diags.error_count();
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    StructureCheck check(text, file, diags);
    parser.HandleNextDocument(check);
  } catch (const Refused& r) {
    diags.error({file, r.mark.line + 1, r.mark.column + 1}, r.message);
  } catch (const YAML::ParserException& e) {
    diags.error({file, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
  } catch (const YAML::Exception& e) {
    diags.error({file, 0, 0}, "YAML: " + e.msg);
  }
  return diags.error_count() == before;
}

}  // namespace pipeline
