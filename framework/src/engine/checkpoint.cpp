#include <pipeline/engine/checkpoint.hpp>
#include <pipeline/sdk/file_reader.hpp>
#include <pipeline/util/atomic_file.hpp>

#include <fstream>
#include <sstream>

namespace pipeline {

namespace fs = std::filesystem;

namespace {

// Workflow names are free text; keep the file name portable.
std::string file_stem(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out.empty() ? "workflow" : out;
}

}  // namespace

json::object Checkpoint::to_json() const {
  json::array names;
  for (const auto& n : completed) names.emplace_back(n);
  return {{"version", 1},       {"workflow", workflow}, {"file", file},  {"next_step", next_step},
          {"completed", names}, {"finished", finished}, {"state", state}};
}

Result<Checkpoint> Checkpoint::from_json(const json::value& v) {
  if (!v.is_object()) return invalid_argument("checkpoint is not a JSON object");
  const auto& o = v.get_object();
  Checkpoint cp;
  cp.workflow = get_string(o, "workflow");
  cp.file = get_string(o, "file");
  if (const auto* n = o.if_contains("next_step"); n && n->is_number()) {
    cp.next_step = n->to_number<std::size_t>();
  } else {
    return invalid_argument("checkpoint has no next_step");
  }
  if (const auto* c = o.if_contains("completed"); c && c->is_array()) {
    for (const auto& e : c->get_array()) cp.completed.push_back(to_text(e));
  }
  if (const auto* f = o.if_contains("finished"); f && f->is_bool()) cp.finished = f->get_bool();
  if (const auto* s = o.if_contains("state"); s && s->is_object()) cp.state = s->get_object();
  return cp;
}

CheckpointStore::CheckpointStore(const Workflow& wf, const SecretRedactor& redactor)
    : path_(fs::path(wf.checkpoint_dir) / (file_stem(wf.name) + ".checkpoint.json")),
      workflow_(wf.name),
      redactor_(redactor) {}

Status CheckpointStore::save(const Checkpoint& cp) const {
  // Redact the serialized text: a secret may hide anywhere in step results or variables.
  return write_file_atomically(path_, redactor_.redact(json::serialize(cp.to_json())) + "\n");
}

Result<std::optional<Checkpoint>> CheckpointStore::load() const {
  std::error_code ec;
  if (!fs::exists(path_, ec)) return std::optional<Checkpoint>{};
  FileContent content = read_input_file(path_);
  if (!content) return invalid_argument("cannot read checkpoint " + content.message);
  auto doc = parse_json(content.data);
  if (!doc) return invalid_argument("checkpoint " + path_.string() + ": " + doc.status().message());
  auto cp = Checkpoint::from_json(*doc);
  if (!cp) return invalid_argument("checkpoint " + path_.string() + ": " + cp.status().message());
  if (cp->workflow != workflow_) {
    return invalid_argument("checkpoint " + path_.string() + " belongs to workflow '" +
                            cp->workflow + "', not '" + workflow_ + "'");
  }
  return std::optional<Checkpoint>(std::move(*cp));
}

}  // namespace pipeline
