#include <pipeline/dspy/dataset.hpp>

#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/value_parse.hpp>
#include <pipeline/sdk/file_reader.hpp>

#include <algorithm>
#include <random>

namespace pipeline::dspy {

namespace {

std::string lower_ext(const std::filesystem::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

// Puts a scalar under the signature's first field of that side, and a map's members where they
// belong.
Status take(const json::value& v, const std::vector<Field>& fields, const char* what,
            Example& out) {
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) out[kv.key()] = kv.value();
    return {};
  }
  if (fields.empty())
    return invalid_argument(std::string("the signature has no ") + what + " field");
  out[fields[0].name] = v;
  return {};
}

// Start offsets of the top-level elements of a JSON array, to report their lines.
std::vector<std::size_t> element_offsets(std::string_view text) {
  std::vector<std::size_t> offsets;
  int depth = 0;
  bool in_string = false, expect_value = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (depth == 1 && expect_value) {
      offsets.push_back(i);
      expect_value = false;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth == 1 && c == '[') expect_value = true;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_value = true;
    }
  }
  return offsets;
}

int line_at(std::string_view text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(),
                                         text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// A CSV cell is text; typed fields take the value the text spells ("3", "[1, 2]", "true").
json::value typed_cell(const std::string& cell, const Signature& sig, const std::string& column) {
  const Field* f = sig.input(column);
  if (!f) f = sig.output(column);
  if (!f || f->type.is_str()) return json::value(json::string(cell));
  auto v = parse_field_value(json::value(json::string(cell)), f->type);
  return v ? *v : json::value(json::string(cell));
}

}  // namespace

std::string BadRow::to_string() const {
  return file + ":" + std::to_string(line) + ": " + message;
}

Result<DatasetRow> row_from_json(const json::value& row, const Signature& sig) {
  const auto* o = row.if_object();
  if (!o)
    return invalid_argument("a row is a JSON object, found " +
                            std::string(row.is_array() ? "an array" : "a scalar"));
  DatasetRow out;
  const auto* in = o->if_contains("input");
  if (!in) in = o->if_contains("inputs");
  const auto* expected = o->if_contains("output");
  if (!expected) expected = o->if_contains("outputs");
  if (!expected) expected = o->if_contains("expected_output");
  if (in || expected) {
    if (!in) return invalid_argument("the row has an output but no `input`");
    if (!expected)
      return invalid_argument("the row has an `input` but no `output` or `expected_output`");
    if (auto st = take(*in, sig.inputs, "input", out.inputs); !st.ok()) return st;
    if (auto st = take(*expected, sig.outputs, "output", out.outputs); !st.ok()) return st;
  } else {
    for (const auto& kv : *o) {
      if (sig.input(kv.key()))
        out.inputs[kv.key()] = kv.value();
      else if (sig.output(kv.key()))
        out.outputs[kv.key()] = kv.value();
    }
  }
  for (const auto& f : sig.inputs)
    if (!out.inputs.contains(f.name))
      return invalid_argument("missing input field '" + f.name + "'");
  bool any_output = std::any_of(sig.outputs.begin(), sig.outputs.end(),
                                [&](const Field& f) { return out.outputs.contains(f.name); });
  if (!any_output) {
    std::string names;
    for (const auto& f : sig.outputs) names += (names.empty() ? "" : ", ") + f.name;
    return invalid_argument("no expected value for any output field (" + names + ")");
  }
  return out;
}

Result<Dataset> load_dataset(const std::filesystem::path& file, const Signature& sig) {
  std::string ext = lower_ext(file);
  if (ext != ".jsonl" && ext != ".ndjson" && ext != ".json" && ext != ".csv")
    return invalid_argument(file.string() + ": unknown dataset format '" + ext +
                            "' (use .jsonl, .json or .csv)");
  auto content = read_input_file(file);
  if (!content) return invalid_argument(content.message);
  const std::string& text = content.data;
  std::string name = file.string();
  if (ext == ".csv") return dataset_from_csv(text, name, sig);
  Dataset ds;
  auto add = [&](const json::value& v, int line) {
    auto row = row_from_json(v, sig);
    if (!row) {
      ds.bad.push_back({name, line, row.status().message()});
      return;
    }
    row->file = name;
    row->line = line;
    ds.rows.push_back(std::move(*row));
  };
  if (ext == ".json") {
    auto doc = parse_json(text);
    if (!doc) return invalid_argument(name + ": " + doc.status().message());
    if (!doc->is_array()) return invalid_argument(name + ": expected a JSON array of rows");
    auto offsets = element_offsets(text);
    const auto& a = doc->get_array();
    for (std::size_t i = 0; i < a.size(); ++i)
      add(a[i], i < offsets.size() ? line_at(text, offsets[i]) : 0);
    return ds;
  }
  int line = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string_view l = std::string_view(text).substr(
        start, nl == std::string::npos ? std::string::npos : nl - start);
    ++line;
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto v = parse_json(l);
    if (!v) {
      ds.bad.push_back({name, line, v.status().message()});
      continue;
    }
    add(*v, line);
  }
  return ds;
}

Dataset dataset_from_yaml(const YAML::Node& examples, const std::string& file,
                          const Signature& sig) {
  Dataset ds;
  if (!examples.IsSequence()) {
    ds.bad.push_back({file, location_of(examples, file).line,
                      "`examples:` is a list of rows, found " + yaml_kind(examples)});
    return ds;
  }
  for (const auto& item : examples) {
    int line = location_of(item, file).line;
    auto row = row_from_json(yaml_to_json(item), sig);
    if (!row) {
      ds.bad.push_back({file, line, row.status().message()});
      continue;
    }
    row->file = file;
    row->line = line;
    ds.rows.push_back(std::move(*row));
  }
  return ds;
}

Dataset dataset_from_csv(std::string_view text, const std::string& file, const Signature& sig) {
  Dataset ds;
  // Records with the line each starts on; a quoted cell may span lines.
  struct Record {
    std::vector<std::string> cells;
    int line = 0;
  };
  std::vector<Record> records;
  Record cur{{}, 1};
  std::string cell;
  bool quoted = false, any = false;
  int line = 1;
  auto end_record = [&] {
    cur.cells.push_back(cell);
    cell.clear();
    if (any || cur.cells.size() > 1 || !cur.cells[0].empty()) records.push_back(cur);
    cur = Record{{}, line};
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty()) {
      quoted = any = true;
    } else if (c == ',') {
      cur.cells.push_back(cell);
      cell.clear();
      any = true;
    } else if (c == '\n') {
      ++line;
      end_record();
    } else if (c != '\r') {
      cell += c;
    }
  }
  if (quoted) ds.bad.push_back({file, cur.line, "unterminated quoted cell"});
  if (!cell.empty() || !cur.cells.empty()) end_record();
  if (records.empty()) return ds;
  const auto header = records[0].cells;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.cells.size() != header.size()) {
      ds.bad.push_back({file, rec.line,
                        "expected " + std::to_string(header.size()) +
                            " cells (as in the header), found " +
                            std::to_string(rec.cells.size())});
      continue;
    }
    json::object flat;
    for (std::size_t c = 0; c < header.size(); ++c)
      flat[header[c]] = typed_cell(rec.cells[c], sig, header[c]);
    auto row = row_from_json(flat, sig);
    if (!row) {
      ds.bad.push_back({file, rec.line, row.status().message()});
      continue;
    }
    row->file = file;
    row->line = rec.line;
    ds.rows.push_back(std::move(*row));
  }
  return ds;
}

Split split_dataset(const std::vector<DatasetRow>& rows, double validation_fraction,
                    std::uint64_t seed) {
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Our own Fisher-Yates over mt19937_64 (whose output the standard fixes), not std::shuffle
  // (whose algorithm it does not), so a seed means the same split everywhere.
  std::mt19937_64 rng(seed);
  for (std::size_t i = order.size(); i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(rng() % i);
    std::swap(order[i - 1], order[j]);
  }
  std::size_t n_val =
      static_cast<std::size_t>(validation_fraction * static_cast<double>(rows.size()) + 0.5);
  if (validation_fraction > 0 && n_val == 0 && rows.size() >= 2) n_val = 1;
  n_val = std::min(n_val, rows.size());
  Split s;
  for (std::size_t k = 0; k < order.size(); ++k)
    (k < order.size() - n_val ? s.train : s.validation).push_back(rows[order[k]]);
  return s;
}

}  // namespace pipeline::dspy
