// Exported StepRecords read back from a file (`pipeline compare --records`, `pipeline report
// --records`): JSON lines, or one JSON array. Errors name the file, the line (or the record's
// index in the array) and what is wrong.
#pragma once

#include <pipeline/monitor/step_record.hpp>
#include <pipeline/status.hpp>

#include <string>
#include <vector>

namespace pipeline::cli {

Result<std::vector<StepRecord>> read_records_file(const std::string& path);

}  // namespace pipeline::cli
