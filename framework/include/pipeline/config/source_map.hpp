// Where each part of a loaded YAML document was written, so that after loading the document is
// plain JSON (no YAML nodes live on at run time) and diagnostics still name file:line:col.
// A SourceRef is a position in a mapped document; JSON a plugin sent has no map, and every
// location inside it is the location of the step that sent it.
//
//   auto map = SourceMap::of(yaml_root, "wf.yaml");
//   SourceRef step = SourceRef(map).child("workflow").child("steps").child(0);
//   diags.error(step.key_where("type"), "unknown step type");
#pragma once

#include <pipeline/config/diagnostics.hpp>

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pipeline {

class SourceMap {
 public:
  static std::shared_ptr<const SourceMap> of(const YAML::Node& root, const std::string& file);

  struct Entry {
    SourceLocation value;
    SourceLocation key;  // the key's own location (map members only; else the value's)
  };
  // nullptr when nothing was written at `path`.
  const Entry* find(const std::string& path) const;
  const std::string& file() const { return file_; }

 private:
  void add(const YAML::Node& node, const std::string& path, SourceLocation key);
  std::string file_;
  std::unordered_map<std::string, Entry> entries_;
};

class SourceRef {
 public:
  SourceRef() = default;
  // The root of a mapped document.
  explicit SourceRef(std::shared_ptr<const SourceMap> map);
  // JSON with no map (sent by a plugin): everything inside is located at `fallback`.
  explicit SourceRef(SourceLocation fallback) : fallback_(std::move(fallback)) {}

  SourceRef child(std::string_view key) const;
  SourceRef child(std::size_t index) const;
  // Where this value was written (else where its parent was).
  SourceLocation where() const;
  // Where key `key` of this map was written (else where()).
  SourceLocation key_where(std::string_view key) const;
  // Where the innermost written key of a dotted path ("claude_options.allowed_tools") is.
  SourceLocation field_where(std::string_view dotted) const;
  const std::string& file() const { return fallback_.file; }

 private:
  SourceRef(std::shared_ptr<const SourceMap> map, std::string path, SourceLocation fallback)
      : map_(std::move(map)), path_(std::move(path)), fallback_(std::move(fallback)) {}
  const SourceMap::Entry* entry() const;
  std::shared_ptr<const SourceMap> map_;
  std::string path_;
  SourceLocation fallback_;
};

}  // namespace pipeline
