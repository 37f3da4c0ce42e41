// Labelled examples for a signature, from JSONL, a JSON array, CSV or a step's inline
// `examples:`. A row is `{input: {...}, output: {...}}`, pipeline_ex's `{input, expected_output}`,
// or flat `{field: value}` split by the signature's field names. Every bad row is reported with
// its file and line; callers refuse the data unless told to skip them.
//
//   auto ds = load_dataset("dev.jsonl", sig);
//   for (const auto& bad : ds->bad) std::cerr << bad.to_string() << "\n";  // "dev.jsonl:7: ..."
//   auto split = split_dataset(ds->rows, 0.2, 42);
#pragma once

#include <pipeline/dspy/adapter.hpp>
#include <pipeline/dspy/signature.hpp>
#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pipeline::dspy {

struct DatasetRow {
  Example inputs;
  Example outputs;  // the expected values
  std::string file;
  int line = 0;
};

struct BadRow {
  std::string file;
  int line = 0;
  std::string message;
  std::string to_string() const;  // "file:line: message"
};

struct Dataset {
  std::vector<DatasetRow> rows;
  std::vector<BadRow> bad;
};

// The format follows the extension: .jsonl / .ndjson, .json (an array), .csv. A file that cannot
// be read at all (missing, wrong extension, not an array) is an error; bad rows are listed.
Result<Dataset> load_dataset(const std::filesystem::path& file, const Signature& sig);

// One row from its JSON shape; the problem text when it does not fit the signature.
Result<DatasetRow> row_from_json(const json::value& row, const Signature& sig);

// A step's inline `examples:` (a YAML list); lines come from the YAML.
Dataset dataset_from_yaml(const YAML::Node& examples, const std::string& file,
                          const Signature& sig);

// Rows from CSV text (RFC 4180: a header row, quoted cells may hold commas, quotes and newlines).
Dataset dataset_from_csv(std::string_view text, const std::string& file, const Signature& sig);

struct Split {
  std::vector<DatasetRow> train;
  std::vector<DatasetRow> validation;
};

// A seeded shuffle, then the last `validation_fraction` of the rows (at least one when there are
// two or more rows and the fraction is positive) go to validation. Same seed, same split, on every
// platform.
Split split_dataset(const std::vector<DatasetRow>& rows, double validation_fraction,
                    std::uint64_t seed);

}  // namespace pipeline::dspy
