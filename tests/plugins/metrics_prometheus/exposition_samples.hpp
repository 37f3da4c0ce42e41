// Reading Prometheus text back in the prometheus sink's tests: the samples of an exposition
// (name, labels with escapes undone, value), and `promtool check metrics` over a text.
#pragma once

#include "process.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace pipeline::testing {

inline constexpr const char* kPromtool = "/usr/bin/promtool";
inline constexpr const char* kPromtoolSkip =
    "promtool is not installed (apt-get install prometheus); exposition lint skipped";

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every sample line (comments skipped). A line that does not parse becomes a sample named
// "<unparsed: line>", so a test comparing names sees it.
inline std::vector<Sample> samples_of(const std::string& text) {
  std::vector<Sample> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    bool ok = true;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (ok && i < line.size() && line[i] != '}') {
        std::string key, value;
        while (i < line.size() && line[i] != '=') key += line[i++];
        if (i + 1 >= line.size() || line[i + 1] != '"') {
          ok = false;
          break;
        }
        i += 2;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size()) {
            const char e = line[++i];
            value += e == 'n' ? '\n' : e;
          } else {
            value += line[i];
          }
          ++i;
        }
        ++i;  // the closing quote
        if (i < line.size() && line[i] == ',') ++i;
        s.labels[key] = value;
      }
      ++i;  // '}'
    }
    if (!ok || i >= line.size() || line[i] != ' ') {
      out.push_back({"<unparsed: " + line + ">", {}, 0});
      continue;
    }
    const std::string v = line.substr(i + 1, line.find(' ', i + 1) - i - 1);
    s.value = v == "+Inf" ? HUGE_VAL : std::strtod(v.c_str(), nullptr);
    out.push_back(std::move(s));
  }
  return out;
}

// The samples named `name` whose labels include every one of `match`.
inline std::vector<Sample> find_samples(const std::vector<Sample>& all, const std::string& name,
                                        const std::map<std::string, std::string>& match = {}) {
  std::vector<Sample> out;
  for (const auto& s : all) {
    if (s.name != name) continue;
    bool all_match = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) all_match = false;
    }
    if (all_match) out.push_back(s);
  }
  return out;
}

// promtool's verdict on an exposition: exit code 0 and its output (problems, one per line).
inline ProcessResult promtool_check(const std::string& text) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("promtool-input-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::ofstream(file) << text;
  ProcessResult r =
      run_process({"/bin/sh", "-c",
                   std::string("exec ") + kPromtool + " check metrics < '" + file.string() + "'"});
  std::filesystem::remove(file);
  return r;
}

}  // namespace pipeline::testing
