#include "records_file.hpp"

#include <pipeline/json.hpp>

#include <fstream>
#include <sstream>

namespace pipeline::cli {

Result<std::vector<StepRecord>> read_records_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return invalid_argument("--records " + path + ": cannot be opened");
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  std::vector<StepRecord> out;
  auto add = [&](const json::value& v, const std::string& where) -> Status {
    auto r = StepRecord::from_json(v);
    if (!r) return invalid_argument(where + ": " + r.status().message());
    out.push_back(std::move(*r));
    return {};
  };
  const auto first = all.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && all[first] == '[') {
    auto doc = parse_json(all);
    if (!doc) return invalid_argument(path + ": " + doc.status().message());
    std::size_t i = 0;
    for (const auto& v : doc->as_array())
      if (Status st = add(v, path + ": record " + std::to_string(i++)); !st.ok()) return st;
    return out;
  }
  std::istringstream lines(all);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto doc = parse_json(line);
    const std::string where = path + ":" + std::to_string(n);
    if (!doc) return invalid_argument(where + ": " + doc.status().message());
    if (Status st = add(*doc, where); !st.ok()) return st;
  }
  return out;
}

}  // namespace pipeline::cli
