// file_ops: every path is relative to the workflow's workspace_dir and may not leave it.
#include "core_steps.hpp"
#include "workspace_path.hpp"

#include <pipeline/sdk/atomic_file.hpp>
#include <pipeline/sdk/file_reader.hpp>
#include <pipeline/sdk/json_parse.hpp>

#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace core_steps {

namespace json = boost::json;
namespace fs = std::filesystem;
using pipeline::sdk::CallContext;
using pipeline::sdk::Error;

namespace {

const std::set<std::string> kOperations = {"copy", "move",    "delete",      "validate",
                                           "list", "convert", "stream_copy", "stream_process"};

std::string str(const json::object& o, std::string_view k, std::string_view fb = {}) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fb);
}

std::string read_file(const fs::path& p) {
  pipeline::FileContent content = pipeline::read_input_file(p);
  if (!content) {
    throw Error(content.error == pipeline::FileContent::Error::kNotFound ? PL_NOT_FOUND
                                                                         : PL_INVALID_ARGUMENT,
                "file_ops: " + content.message);
  }
  return std::move(content.data);
}

void write_file(const fs::path& p, const std::string& content) {
  if (auto w = pipeline::atomic_write_file(p, content); !w) {
    throw Error(PL_PERMISSION_DENIED, "file_ops: " + w.message);
  }
}

std::string format_of(const json::object& step, std::string_view key, const fs::path& p) {
  std::string f = str(step, key);
  if (f.empty()) f = p.extension().string().substr(p.extension().empty() ? 0 : 1);
  std::transform(f.begin(), f.end(), f.begin(), ::tolower);
  if (f == "yml") f = "yaml";
  return f;
}

// ---- csv / yaml <-> JSON ----------------------------------------------------------------------

std::vector<std::string> csv_row(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        cell += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(std::move(cell));
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(std::move(cell));
  return cells;
}

json::value from_csv(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header;
  json::array rows;
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    auto cells = csv_row(line);
    if (header.empty()) {
      header = std::move(cells);
      continue;
    }
    json::object row;
    for (std::size_t i = 0; i < header.size(); ++i)
      row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string csv_cell(const json::value& v) {
  std::string s = v.is_string() ? std::string(v.get_string())
                  : v.is_null() ? ""
                                : json::serialize(v);
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string to_csv(const json::value& v) {
  if (!v.is_array()) throw Error(PL_INVALID_ARGUMENT, "file_ops: CSV needs a list of objects");
  std::vector<std::string> header;
  for (const auto& row : v.get_array()) {
    if (!row.is_object()) throw Error(PL_INVALID_ARGUMENT, "file_ops: CSV needs a list of objects");
    for (const auto& kv : row.get_object()) {
      if (std::find(header.begin(), header.end(), kv.key()) == header.end())
        header.emplace_back(kv.key());
    }
  }
  std::string out;
  // Appended piecewise: `(i ? "," : "") + std::string` trips GCC 12's false -Wrestrict at -O3.
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i) out += ',';
    out += csv_cell(json::value(header[i]));
  }
  out += "\n";
  for (const auto& row : v.get_array()) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      const auto* cell = row.get_object().if_contains(header[i]);
      if (i) out += ',';
      if (cell) out += csv_cell(*cell);
    }
    out += "\n";
  }
  return out;
}

// Aliases make a YAML tree a graph (a cycle, or a "billion laughs" of shared nodes), so the walk
// is bounded in depth and in the nodes it produces.
struct YamlBudget {
  std::size_t nodes_left = 1000000;
};

json::value yaml_value(const YAML::Node& n, YamlBudget& budget, int depth = 1) {
  if (depth > pipeline::limits::kMaxNestingDepth) {
    throw Error(PL_INVALID_ARGUMENT, "file_ops: YAML nested more than " +
                                         std::to_string(pipeline::limits::kMaxNestingDepth) +
                                         " levels deep (or an alias refers to itself)");
  }
  if (budget.nodes_left-- == 0) {
    throw Error(PL_RESOURCE_EXHAUSTED, "file_ops: YAML expands to more than 1000000 nodes");
  }
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& e : n) a.push_back(yaml_value(e, budget, depth + 1));
      return a;
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) o[kv.first.Scalar()] = yaml_value(kv.second, budget, depth + 1);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return json::value(s);  // quoted
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      try {
        std::size_t used = 0;
        double d = std::stod(s, &used);
        if (used == s.size()) {
          if (s.find_first_of(".eE") == std::string::npos) return static_cast<int64_t>(d);
          return d;
        }
      } catch (...) {
      }
      return json::value(s);
    }
    default:
      return nullptr;
  }
}

void emit_yaml(YAML::Emitter& e, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      e << YAML::BeginMap;
      for (const auto& kv : v.get_object()) {
        e << YAML::Key << std::string(kv.key()) << YAML::Value;
        emit_yaml(e, kv.value());
      }
      e << YAML::EndMap;
      break;
    case json::kind::array:
      e << YAML::BeginSeq;
      for (const auto& x : v.get_array()) emit_yaml(e, x);
      e << YAML::EndSeq;
      break;
    case json::kind::string:
      e << std::string(v.get_string());
      break;
    case json::kind::null:
      e << YAML::Null;
      break;
    default:
      e << json::serialize(v);
  }
}

json::value parse_as(const std::string& text, const std::string& format) {
  try {
    if (format == "json") return pipeline::sdk::parse_json(text);
    if (format == "csv") return from_csv(text);
    if (format == "yaml") {
      YamlBudget budget;
      return yaml_value(YAML::Load(text), budget);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(PL_INVALID_ARGUMENT, "file_ops: input is not valid " + format + ": " + e.what());
  }
  throw Error(PL_INVALID_ARGUMENT,
              "file_ops: unsupported format '" + format + "' (csv, json, yaml)");
}

std::string write_as(const json::value& v, const std::string& format) {
  if (format == "json") return json::serialize(v) + "\n";
  if (format == "csv") return to_csv(v);
  if (format == "yaml") {
    YAML::Emitter e;
    emit_yaml(e, v);
    return std::string(e.c_str()) + "\n";
  }
  throw Error(PL_INVALID_ARGUMENT,
              "file_ops: unsupported format '" + format + "' (csv, json, yaml)");
}

// `*` and `?` against a file name, iteratively (the classic two-pointer match with one
// backtrack point): linear in practice and no recursion whatever the pattern.
bool glob_match(std::string_view glob, std::string_view name) {
  std::size_t g = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace

std::string FileOpsStep::execute(const CallContext&, std::string_view input_json) {
  json::value input = pipeline::sdk::parse_json(input_json);
  const auto& in = input.as_object();
  const auto& step = in.at("step").as_object();
  std::string ws = "./workspace";
  if (auto* w = in.if_contains("workflow"); w && w->is_object())
    ws = str(w->get_object(), "workspace_dir", ws);
  const fs::path root(ws);
  std::error_code ec;
  fs::create_directories(root, ec);
  auto path = [&](std::string_view key) {
    std::string p = str(step, key);
    if (p.empty()) throw Error(PL_INVALID_ARGUMENT, "file_ops: missing '" + std::string(key) + "'");
    return confined_path(root, p);
  };
  const std::string op = str(step, "operation");
  json::object out{{"operation", op}, {"success", true}};

  if (op == "copy" || op == "stream_copy" || op == "move") {
    fs::path src = path("source"), dst = path("destination");
    if (!fs::exists(src, ec))
      throw Error(PL_NOT_FOUND, "file_ops: source '" + str(step, "source") + "' does not exist");
    if (dst.has_parent_path()) fs::create_directories(dst.parent_path(), ec);
    if (op == "move")
      fs::rename(src, dst, ec);
    else
      fs::copy(src, dst, fs::copy_options::overwrite_existing | fs::copy_options::recursive, ec);
    if (ec) throw Error(PL_INTERNAL, "file_ops " + op + ": " + ec.message());
    out["source"] = src.string();
    out["destination"] = dst.string();
  } else if (op == "delete") {
    fs::path p = path("path");
    auto removed = fs::remove_all(p, ec);
    if (ec) throw Error(PL_INTERNAL, "file_ops delete: " + ec.message());
    out["path"] = p.string();
    out["removed"] = static_cast<int64_t>(removed);
  } else if (op == "validate") {
    json::array results;
    std::string problems;
    const auto* files = step.if_contains("files");
    if (files == nullptr || !files->is_array())
      throw Error(PL_INVALID_ARGUMENT, "file_ops validate needs 'files'");
    for (const auto& f : files->get_array()) {
      const auto& spec = f.as_object();
      fs::path p = confined_path(root, str(spec, "path"));
      bool exists = fs::exists(p, ec);
      std::string why;
      auto flag = [&](std::string_view k) {
        auto* v = spec.if_contains(k);
        return v && v->is_bool() && v->get_bool();
      };
      if (flag("must_exist") && !exists) why = "does not exist";
      if (exists && flag("must_be_file") && !fs::is_regular_file(p, ec)) why = "is not a file";
      if (exists && flag("must_be_dir") && !fs::is_directory(p, ec)) why = "is not a folder";
      if (exists && fs::is_regular_file(p, ec)) {
        auto size = static_cast<int64_t>(fs::file_size(p, ec));
        if (auto* m = spec.if_contains("min_size");
            m && m->is_number() && size < m->to_number<int64_t>())
          why = "is smaller than min_size";
        if (auto* m = spec.if_contains("max_size");
            m && m->is_number() && size > m->to_number<int64_t>())
          why = "is larger than max_size";
      }
      results.push_back(
          json::object{{"path", str(spec, "path")}, {"exists", exists}, {"valid", why.empty()}});
      if (!why.empty()) problems += (problems.empty() ? "" : "; ") + str(spec, "path") + " " + why;
    }
    if (!problems.empty()) throw Error(PL_FAILED_PRECONDITION, "file_ops validate: " + problems);
    out["files"] = std::move(results);
  } else if (op == "list") {
    fs::path dir = confined_path(root, str(step, "path", "."));
    const std::string pattern = str(step, "pattern", "*");
    bool recursive = false;
    if (auto* r = step.if_contains("recursive"); r && r->is_bool()) recursive = r->get_bool();
    json::array files;
    std::vector<std::string> names;
    auto add = [&](const fs::directory_entry& e) {
      if (e.is_symlink() || !glob_match(pattern, e.path().filename().string())) return;
      names.push_back(fs::relative(e.path(), dir, ec).string());
    };
    if (!fs::is_directory(dir, ec))
      throw Error(PL_NOT_FOUND, "file_ops list: '" + str(step, "path", ".") + "' is not a folder");
    if (recursive)
      for (const auto& e : fs::recursive_directory_iterator(dir, ec)) add(e);
    else
      for (const auto& e : fs::directory_iterator(dir, ec)) add(e);
    std::sort(names.begin(), names.end());
    for (auto& n : names) files.emplace_back(n);
    out["count"] = files.size();
    out["files"] = std::move(files);
  } else if (op == "convert") {
    fs::path src = path("source"), dst = path("destination");
    std::string from = format_of(step, "from", src), to = format_of(step, "to", dst);
    write_file(dst, write_as(parse_as(read_file(src), from), to));
    out["from"] = from;
    out["to"] = to;
    out["destination"] = dst.string();
  } else if (op == "stream_process") {
    fs::path src = path("source");
    fs::path dst = step.contains("destination") ? path("destination") : src;
    std::string text = read_file(src);
    std::string proc = str(step, "processor", "identity");
    if (proc == "uppercase")
      std::transform(text.begin(), text.end(), text.begin(), ::toupper);
    else if (proc == "lowercase")
      std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    else if (proc != "identity")
      throw Error(PL_INVALID_ARGUMENT,
                  "file_ops: unknown processor '" + proc + "' (uppercase, lowercase, identity)");
    write_file(dst, text);
    out["destination"] = dst.string();
    out["bytes"] = text.size();
  } else {
    throw Error(PL_INVALID_ARGUMENT, "file_ops: unknown operation '" + op + "'");
  }
  return json::serialize(json::object{{"output", std::move(out)}});
}

std::string FileOpsStep::validate(std::string_view step_json) {
  json::value v = pipeline::sdk::parse_json(step_json);
  const auto& step = v.as_object();
  json::array d;
  auto add = [&](std::string field, std::string msg) {
    d.push_back(json::object{{"field", field}, {"message", msg}, {"severity", "error"}});
  };
  std::string op = str(step, "operation");
  if (!kOperations.count(op)) {
    add("operation",
        "file_ops operation must be one of copy, move, delete, validate, list, "
        "convert, stream_copy, stream_process; found '" +
            op + "'");
    return json::serialize(d);
  }
  auto need = [&](const char* key) {
    if (!step.contains(key)) add(key, "file_ops " + op + " needs '" + key + "'");
  };
  if (op == "copy" || op == "move" || op == "convert" || op == "stream_copy") {
    need("source");
    need("destination");
  }
  if (op == "stream_process") need("source");
  if (op == "delete") need("path");
  if (op == "validate") need("files");
  for (const char* key : {"source", "destination", "path"}) {
    std::string p = str(step, key);
    if (p.empty() || p.find("{{") != std::string::npos) continue;
    if (fs::path(p).is_absolute())
      add(key, "'" + p + "' is absolute; file_ops paths are relative to the workspace");
    for (const auto& part : fs::path(p).lexically_normal()) {
      if (part == "..") add(key, "'" + p + "' leaves the workspace ('..')");
    }
  }
  return json::serialize(d);
}

}  // namespace core_steps
