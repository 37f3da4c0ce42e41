#include <pipeline/config/source_map.hpp>
#include <pipeline/config/yaml_json.hpp>

namespace pipeline {

namespace {

// Path separator: a control character, so keys holding '/' or '.' cannot collide.
constexpr char kSep = '\x1f';

}  // namespace

std::shared_ptr<const SourceMap> SourceMap::of(const YAML::Node& root, const std::string& file) {
  auto map = std::make_shared<SourceMap>();
  map->file_ = file;
  map->add(root, "", location_of(root, file));
  return map;
}

void SourceMap::add(const YAML::Node& node, const std::string& path, SourceLocation key) {
  entries_[path] = {location_of(node, file_), std::move(key)};
  if (is_map(node)) {
    for (const auto& kv : node) {
      add(kv.second, path + kSep + kv.first.Scalar(), location_of(kv.first, file_));
    }
  } else if (is_list(node)) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node e = node[i];
      add(e, path + kSep + std::to_string(i), location_of(e, file_));
    }
  }
}

const SourceMap::Entry* SourceMap::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

SourceRef::SourceRef(std::shared_ptr<const SourceMap> map)
    : map_(std::move(map)), fallback_{map_ ? map_->file() : std::string(), 0, 0} {
  if (const auto* e = entry()) fallback_ = e->value;
}

const SourceMap::Entry* SourceRef::entry() const {
  return map_ ? map_->find(path_) : nullptr;
}

SourceRef SourceRef::child(std::string_view key) const {
  return SourceRef(map_, path_ + kSep + std::string(key), where());
}

SourceRef SourceRef::child(std::size_t index) const {
  return SourceRef(map_, path_ + kSep + std::to_string(index), where());
}

SourceLocation SourceRef::where() const {
  if (const auto* e = entry()) return e->value;
  return fallback_;
}

SourceLocation SourceRef::key_where(std::string_view key) const {
  if (const auto* e = child(key).entry()) return e->key;
  return where();
}

SourceLocation SourceRef::field_where(std::string_view dotted) const {
  std::size_t dot = dotted.find('.');
  std::string_view key = dotted.substr(0, dot);
  if (dot == std::string_view::npos || child(key).entry() == nullptr) return key_where(key);
  return child(key).field_where(dotted.substr(dot + 1));
}

}  // namespace pipeline
