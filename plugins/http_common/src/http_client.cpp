#include "http_common/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "http_common/failure.hpp"

namespace pipeline::http {

namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting transfer wakes up to poll cancellation and the deadlines. A socket event
// wakes it earlier, so this bounds only the reaction time to cancellation, not the latency.
constexpr int64_t kPollSliceMs = 50;

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

int64_t ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// What the libcurl callbacks of one transfer see.
struct TransferState {
  CURL* easy = nullptr;
  HttpResponse* response = nullptr;
  const BodySink* sink = nullptr;
  size_t max_bytes = 0;
  size_t received = 0;
  bool got_first_byte = false;
  Clock::time_point last_byte;
  bool status_known = false;
  bool to_sink = false;
  bool oversize = false;
  bool sink_stopped = false;
  std::exception_ptr sink_error;

  void mark_byte() {
    got_first_byte = true;
    last_byte = Clock::now();
  }
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<TransferState*>(user);
  size_t len = size * n;
  s->mark_byte();
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    s->response->headers.clear();  // a new status line (after 100 Continue or a redirect)
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  s->response->headers.emplace_back(std::move(name), std::string(value));
  return len;
}

bool is_json_content_type(std::string_view type) {
  std::string t(type.substr(0, type.find(';')));
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
  return t == "application/json" || (t.size() > 5 && t.ends_with("+json"));
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<TransferState*>(user);
  size_t len = size * n;
  s->mark_byte();
  if (!s->status_known) {
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    s->response->status = status;
    s->status_known = true;
    // A JSON reply to a streaming request (a server that does not stream, or an error document)
    // is kept whole in the body for the caller to parse; only an event stream goes to the sink.
    s->to_sink = s->sink != nullptr && *s->sink && status >= 200 && status < 300 &&
                 !is_json_content_type(s->response->header("content-type"));
  }
  s->received += len;
  if (s->received > s->max_bytes) {
    s->oversize = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  if (!s->to_sink) {
    s->response->body.append(data, len);
    return len;
  }
  try {
    if (!(*s->sink)(std::string_view(data, len))) {
      s->sink_stopped = true;
      return 0;
    }
  } catch (...) {
    // Exceptions must not unwind through libcurl's C frames; post() rethrows it.
    s->sink_error = std::current_exception();
    return 0;
  }
  return len;
}

[[noreturn]] void fail(std::string_view cls, std::string message) {
  throw FailureError(Failure{std::string(cls), 0, -1, std::move(message)});
}

}  // namespace

std::string_view HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

// Each transfer owns a multi handle, so the connections its easy handle opened stay in that multi
// handle's connection cache between calls: a pooled transfer is a pooled keep-alive connection.
class HttpClient::Transfer {
 public:
  Transfer() : multi_(curl_multi_init()), easy_(curl_easy_init()) {
    if (!multi_ || !easy_) fail(error_class::kNetwork, "libcurl could not allocate a handle");
  }
  CURLM* multi() const { return multi_.get(); }
  CURL* easy() const { return easy_.get(); }

 private:
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::unique_ptr<CURL, EasyDeleter> easy_;
};

HttpClient::HttpClient(size_t max_idle) : max_idle_(max_idle) {
  // Reference-counted and thread-safe in libcurl >= 7.84; paired with the cleanup below.
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

HttpClient::~HttpClient() {
  idle_.clear();
  curl_global_cleanup();
}

size_t HttpClient::idle_transfers() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

std::unique_ptr<HttpClient::Transfer> HttpClient::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto t = std::move(idle_.back());
      idle_.pop_back();
      return t;
    }
  }
  return std::make_unique<Transfer>();
}

void HttpClient::release(std::unique_ptr<Transfer> t) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(t));
}

HttpResponse HttpClient::post(const HttpRequest& request, const TransferLimits& limits,
                              const sdk::CallContext& ctx, const BodySink& sink) {
  if (ctx.cancelled()) fail(error_class::kCancelled, "cancelled before the request was sent");

  std::unique_ptr<Transfer> transfer = acquire();
  CURL* easy = transfer->easy();
  CURLM* multi = transfer->multi();
  curl_easy_reset(easy);  // keeps the connection cache (it lives in the multi handle)

  HttpResponse response;
  TransferState state;
  state.easy = easy;
  state.response = &response;
  state.sink = &sink;
  state.max_bytes = limits.max_response_bytes;

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& h : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next == nullptr) fail(error_class::kNetwork, "libcurl could not allocate a header list");
    headers.release();
    headers.reset(next);
  }
  // libcurl would otherwise send "Expect: 100-continue" for large bodies and wait for it.
  for (const char* h : {"Expect:", "Content-Type: application/json"}) {
    curl_slist* next = curl_slist_append(headers.get(), h);
    if (next == nullptr) fail(error_class::kNetwork, "libcurl could not allocate a header list");
    headers.release();
    headers.reset(next);
  }

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout_ms));
  // A backstop only: the loop below enforces the total timeout with a precise message.
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout_ms + 1000));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);

  const Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + std::chrono::milliseconds(limits.total_timeout_ms);
  bool deadline_from_ctx = false;
  if (int64_t left = ctx.deadline_ms_left(); left >= 0) {
    auto ctx_deadline = start + std::chrono::milliseconds(left);
    if (ctx_deadline < deadline) {
      deadline = ctx_deadline;
      deadline_from_ctx = true;
    }
  }

  if (curl_multi_add_handle(multi, easy) != CURLM_OK)
    fail(error_class::kNetwork, "libcurl could not start the transfer");
  // Whatever happens below, the easy handle leaves the multi handle before it is pooled again.
  struct Detach {
    CURLM* multi;
    CURL* easy;
    void now() {
      if (easy != nullptr) curl_multi_remove_handle(multi, easy);
      easy = nullptr;
    }
    ~Detach() { now(); }
  } detach{multi, easy};

  std::string abort_class;
  std::string abort_message;
  int running = 1;
  while (true) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      abort_class = error_class::kNetwork;
      abort_message = "libcurl multi interface failed";
      break;
    }
    if (running == 0) break;
    const auto now = Clock::now();
    if (ctx.cancelled()) {
      abort_class = error_class::kCancelled;
      abort_message = "cancelled while waiting for the response";
      break;
    }
    if (now >= deadline) {
      abort_class = error_class::kTimeout;
      abort_message =
          deadline_from_ctx
              ? "the call's deadline passed while waiting for the response"
              : "no complete response within timeout_ms=" + std::to_string(limits.total_timeout_ms);
      break;
    }
    int64_t wait = std::min<int64_t>(kPollSliceMs, ms_between(now, deadline));
    if (!state.got_first_byte) {
      int64_t waited = ms_between(start, now);
      if (waited >= limits.first_byte_timeout_ms) {
        abort_class = error_class::kTimeout;
        abort_message = "no response byte within first_byte_timeout_ms=" +
                        std::to_string(limits.first_byte_timeout_ms);
        break;
      }
      wait = std::min(wait, limits.first_byte_timeout_ms - waited);
    } else if (limits.idle_timeout_ms > 0) {
      int64_t silent = ms_between(state.last_byte, now);
      if (silent >= limits.idle_timeout_ms) {
        abort_class = error_class::kTimeout;
        abort_message = "response stalled: no byte for idle_timeout_ms=" +
                        std::to_string(limits.idle_timeout_ms);
        break;
      }
      wait = std::min(wait, limits.idle_timeout_ms - silent);
    }
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::max<int64_t>(1, wait)), nullptr);
  }

  CURLcode result = CURLE_OK;
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) result = msg->data.result;
  }
  if (response.status == 0) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  long connects = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  response.connection_reused = connects == 0;

  if (state.sink_error) std::rethrow_exception(state.sink_error);
  if (!abort_class.empty()) fail(abort_class, abort_message);
  if (state.oversize)
    fail(error_class::kBadResponse,
         "response larger than max_response_bytes=" + std::to_string(limits.max_response_bytes));
  if (result != CURLE_OK && !state.sink_stopped) {
    std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(result);
    if (result == CURLE_OPERATION_TIMEDOUT) fail(error_class::kTimeout, "timed out: " + detail);
    fail(error_class::kNetwork, "transfer failed: " + detail);
  }

  detach.now();
  release(std::move(transfer));
  return response;
}

}  // namespace pipeline::http
