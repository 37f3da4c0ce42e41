// The top of the completion stack: one record per call, added to the calling step's CallLog
// (CallFrame::log), which the executor turns into the step's execution record. Later, the
// performance monitor takes its records from here too.
//
//   RecordingLayer top(std::move(metering));
//   CallLog log;  CallFrame frame{.step = "a", .log = &log};
//   top.complete(request, {ctx, frame});   // log.totals().calls == 1
#pragma once

#include <pipeline/llm/completion.hpp>

#include <memory>

namespace pipeline {

class RecordingLayer : public Completion {
 public:
  explicit RecordingLayer(std::unique_ptr<Completion> next);
  CallResult complete(std::string_view request_json, const CompletionCall& call) override;

 private:
  std::unique_ptr<Completion> next_;
};

}  // namespace pipeline
