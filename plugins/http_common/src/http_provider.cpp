#include "http_common/http_provider.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>

#include <pipeline/sdk/json_parse.hpp>

#include "http_common/json_util.hpp"
#include "http_common/retry_policy.hpp"

namespace pipeline::http {

namespace {

using Clock = std::chrono::steady_clock;

ProviderConfig parse_or_throw(std::string_view json, const ProviderDefaults& d,
                              std::initializer_list<std::string_view> keys, const sdk::Host& host) {
  try {
    return parse_provider_config(json, d, keys, host);
  } catch (const std::invalid_argument& e) {
    throw sdk::Error(PL_INVALID_ARGUMENT, d.provider + " config: " + e.what());
  }
}

// Waits `ms`, waking up to honour cancellation.
void sleep_unless_cancelled(int64_t ms, const sdk::CallContext& ctx) {
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) {
    if (ctx.cancelled())
      throw FailureError(
          Failure{std::string(error_class::kCancelled), 0, -1, "cancelled while waiting to retry"});
    auto left = until - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(20)));
  }
}

std::string short_body(std::string_view body) {
  constexpr size_t kMax = 300;
  if (body.size() <= kMax) return std::string(body);
  return std::string(body.substr(0, kMax)) + "...";
}

}  // namespace

std::string to_body(const boost::json::object& body) {
  return boost::json::serialize(body);
}

HttpProvider::HttpProvider(const pl_host_api* host, std::string_view config_json,
                           const ProviderDefaults& defaults,
                           std::initializer_list<std::string_view> provider_keys)
    : Provider(host, config_json),
      config_(parse_or_throw(config_json, defaults, provider_keys, this->host())),
      client_(config_.max_idle_connections) {
  this->host().debug(
      config_.provider + ": base_url " + config_.base_url + ", model " + config_.model + ", key " +
      (config_.api_key_env.empty()
           ? std::string("none")
           : "from $" + config_.api_key_env + (config_.api_key.empty() ? " (unset)" : " (set)")));
}

FailureError HttpProvider::bad_response(std::string message) {
  return FailureError(Failure{std::string(error_class::kBadResponse), 0, -1, std::move(message)});
}

Failure HttpProvider::parse_error(const HttpResponse& r) const {
  return Failure{class_for_http_status(r.status), static_cast<int>(r.status), -1,
                 "HTTP " + std::to_string(r.status) + ": " + short_body(r.body)};
}

Failure HttpProvider::classify_http_error(const HttpResponse& r) const {
  Failure f = parse_error(r);
  f.http_status = static_cast<int>(r.status);
  // For the transient statuses the status itself is the classification (providers put generic
  // types such as "api_error" in those bodies); 4xx bodies are more specific than the status.
  if (is_retryable_http_status(r.status) || r.status == 401 || r.status == 403)
    f.error_class = class_for_http_status(r.status);
  // The server's hint wins over a hint parsed from the body; retry-after-ms is more precise.
  if (auto ms = r.header("retry-after-ms"); !ms.empty()) {
    if (auto v = parse_retry_after(ms, std::time(nullptr))) f.retry_after_ms = *v / 1000;
  }
  if (auto ra = r.header("retry-after"); !ra.empty() && f.retry_after_ms < 0) {
    if (auto v = parse_retry_after(ra, std::time(nullptr))) f.retry_after_ms = *v;
  }
  f.message = config_.provider + ": " + f.message;
  return f;
}

namespace {

// A failure found inside a successful HTTP reply (a body that does not parse, a filtered answer)
// carries that reply's status, as docs/abi.md says; the transport's own failures keep theirs.
[[noreturn]] void rethrow_in_reply(const FailureError& e, long status) {
  Failure f = e.failure();
  if (f.http_status == 0 && f.error_class != error_class::kCancelled) {
    f.http_status = static_cast<int>(status);
  }
  throw FailureError(std::move(f));
}

}  // namespace

Completion HttpProvider::whole_reply(const HttpResponse& r) const {
  try {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec, {}, sdk::json_parse_options());
    if (ec || !v.is_object())
      throw bad_response(config_.provider + ": reply is not a JSON object (" +
                         (ec ? ec.message() : std::string("wrong type")) + ")");
    Completion c = parse_response(v.get_object());
    if (auto id = r.header(request_id_header()); !request_id_header().empty() && !id.empty())
      c.request_id = std::string(id);
    return c;
  } catch (const FailureError& e) {
    rethrow_in_reply(e, r.status);
  }
}

Completion HttpProvider::attempt(const HttpRequest& http, const ChatRequest& request,
                                 const sdk::CallContext& ctx, bool& emitted) const {
  if (!request.stream) {
    HttpResponse r = client_.post(http, config_.limits, ctx);
    if (r.status < 200 || r.status >= 300) throw FailureError(classify_http_error(r));
    return whole_reply(r);
  }

  SseParser parser;
  std::unique_ptr<StreamDecoder> decoder = make_stream_decoder();
  std::string text;
  std::string delta;
  bool decoding = false;  // a failure thrown while decoding an event is one inside the reply
  auto emit = [&](const std::string& piece) {
    emitted = true;
    if (!ctx.emit("text_delta", piece))
      throw FailureError(
          Failure{std::string(error_class::kCancelled), 0, -1, "the consumer stopped the stream"});
  };
  auto on_event = [&](const SseEvent& ev) {
    delta.clear();
    decoding = true;
    decoder->on_event(ev, delta);
    decoding = false;
    if (delta.empty()) return;
    text += delta;
    emit(delta);
  };
  BodySink sink = [&](std::string_view chunk) {
    parser.feed(chunk, on_event);
    return true;
  };
  HttpResponse r;
  try {
    r = client_.post(http, config_.limits, ctx, sink);
  } catch (const FailureError& e) {
    if (decoding) rethrow_in_reply(e, 200);  // only 2xx bodies reach the decoder
    throw;
  }
  if (r.status < 200 || r.status >= 300) throw FailureError(classify_http_error(r));
  if (parser.events() == 0 && !r.body.empty()) {
    // One JSON document instead of an event stream: a server that does not stream. A body that
    // does not parse is a bad response (not retried), never a cut stream.
    Completion c = whole_reply(r);
    if (!c.text.empty()) emit(c.text);
    return c;
  }
  if (!decoder->finished()) {
    // Never hand back a silently short answer: a cut stream is a retryable network failure.
    throw FailureError(Failure{std::string(error_class::kNetwork), static_cast<int>(r.status), -1,
                               config_.provider +
                                   ": stream ended before its final event (truncated after " +
                                   std::to_string(parser.events()) + " events, " +
                                   std::to_string(text.size()) + " bytes of text)"});
  }
  Completion c;
  try {
    c = decoder->result();
  } catch (const FailureError& e) {
    rethrow_in_reply(e, r.status);
  }
  c.text = std::move(text);
  if (auto id = r.header(request_id_header()); !request_id_header().empty() && !id.empty())
    c.request_id = std::string(id);
  return c;
}

void HttpProvider::finish_with(Failure f, int attempts) const {
  std::string message = std::move(f.message);
  if (attempts > 1) message += " (after " + std::to_string(attempts) + " attempts)";
  message = config_.redact(std::move(message));
  host().log(f.error_class == error_class::kCancelled ? PL_LOG_DEBUG : PL_LOG_WARN, message);
  throw sdk::ProviderError(status_for_class(f.error_class), f.error_class, std::move(message),
                           f.http_status, f.retry_after_ms);
}

std::string HttpProvider::complete(const sdk::CallContext& ctx, std::string_view request_json) {
  const auto start = Clock::now();
  ChatRequest request;
  HttpRequest http;
  try {
    request = parse_chat_request(request_json, config_);
    if (config_.key_required && config_.api_key.empty()) {
      throw FailureError(
          Failure{std::string(error_class::kAuth), 0, -1,
                  config_.provider + ": no API key: environment variable " +
                      (config_.api_key_env.empty() ? std::string("(api_key_env not configured)")
                                                   : config_.api_key_env) +
                      " is not set"});
    }
    http = build_request(request);
    for (const auto& [name, value] : config_.headers) http.headers.push_back(name + ": " + value);
  } catch (const FailureError& e) {
    finish_with(e.failure(), 1);
  }

  std::minstd_rand rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto& retry = config_.retry;
  for (int attempt_no = 1;; ++attempt_no) {
    bool emitted = false;
    try {
      Completion c = attempt(http, request, ctx, emitted);
      const int64_t latency_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      if (c.model.empty()) c.model = request.model;
      boost::json::object out;
      out["text"] = c.text;
      out["finish_reason"] = c.finish_reason;
      out["input_tokens"] = c.input_tokens;
      out["output_tokens"] = c.output_tokens;
      out["model"] = c.model;
      out["latency_ms"] = latency_ms;
      out["request_id"] = c.request_id;
      auto cost = config_.prices.cost(c.model, c.input_tokens, c.output_tokens);
      if (!cost) cost = config_.prices.cost(request.model, c.input_tokens, c.output_tokens);
      out["cost_usd"] = cost.value_or(0.0);
      out["cost_known"] = cost.has_value();
      out["provider"] = config_.provider;
      out["attempts"] = attempt_no;
      out["streamed"] = request.stream;
      return config_.redact(boost::json::serialize(out));
    } catch (const FailureError& e) {
      Failure f = e.failure();
      const bool retryable =
          is_retryable_class(f.error_class) &&
          (f.http_status == 0 || f.http_status < 300 || is_retryable_http_status(f.http_status));
      if (!retryable || attempt_no >= retry.max_attempts) finish_with(std::move(f), attempt_no);

      int64_t delay = backoff_delay_ms(retry, attempt_no, unit(rng));
      if (f.retry_after_ms >= 0) {
        if (f.retry_after_ms > retry.max_retry_after_ms) {
          // Waiting longer than allowed: fail now and let the fallback chain move on.
          f.message +=
              " (Retry-After " + std::to_string(f.retry_after_ms) +
              " ms exceeds max_retry_after_ms=" + std::to_string(retry.max_retry_after_ms) + ")";
          finish_with(std::move(f), attempt_no);
        }
        delay = f.retry_after_ms;
      }
      if (int64_t left = ctx.deadline_ms_left(); left >= 0 && delay >= left) {
        f.message += " (no time left before the deadline to retry)";
        finish_with(std::move(f), attempt_no);
      }
      host().log(PL_LOG_INFO, config_.redact(f.message + "; retrying in " + std::to_string(delay) +
                                             " ms (attempt " + std::to_string(attempt_no + 1) +
                                             " of " + std::to_string(retry.max_attempts) + ")"));
      if (emitted) {
        // Consumers that showed partial text must drop it: the next attempt starts over.
        ctx.emit("stream_reset", "{\"attempt\":" + std::to_string(attempt_no + 1) + "}");
      }
      try {
        sleep_unless_cancelled(delay, ctx);
      } catch (const FailureError& cancelled) {
        finish_with(cancelled.failure(), attempt_no);
      }
    }
  }
}

void reject_textless_refusal(const Completion& c, bool has_text, std::string_view message) {
  if (c.finish_reason == error_class::kContentFilter && !has_text) {
    throw FailureError(
        Failure{std::string(error_class::kContentFilter), 200, -1, std::string(message)});
  }
}

void StreamDecoder::on_event(const SseEvent& event, std::string& delta) {
  if (on_control(event)) return;
  boost::system::error_code e;
  boost::json::value v = sdk::parse_json(event.data, e);
  if (e || !v.is_object()) {
    std::string what = event.event.empty() ? std::string("chunk") : "event '" + event.event + "'";
    throw FailureError(Failure{std::string(error_class::kBadResponse), 0, -1,
                               provider_ + ": unparsable stream " + what + ": " +
                                   (e ? e.message() : std::string("not a JSON object"))});
  }
  std::size_t before = delta.size();
  on_json(event, v.get_object(), delta);
  seen_text_ = seen_text_ || delta.size() > before;
}

Completion StreamDecoder::result() const {
  reject_textless_refusal(result_, seen_text_, refusal_);
  return result_;
}

}  // namespace pipeline::http
