#include <pipeline/llm/recording_layer.hpp>

namespace pipeline {

RecordingLayer::RecordingLayer(std::unique_ptr<Completion> next) : next_(std::move(next)) {}

CallResult RecordingLayer::complete(std::string_view request_json, const CompletionCall& call) {
  CallRecord scratch;
  CallRecord& rec = call.record != nullptr ? *call.record : scratch;
  CallResult r = next_->complete(request_json, CompletionCall{call.ctx, call.frame, &rec});
  if (call.frame.log != nullptr) call.frame.log->add(rec);
  return r;
}

}  // namespace pipeline
