#include "mock_llm_server/mock_llm_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <stdexcept>

#include "fault_spec.hpp"
#include "wire_format.hpp"

namespace pipeline::testing {

namespace json = boost::json;

std::string ReceivedRequest::header(const std::string& lower_name) const {
  return header_value(headers, lower_name);
}

namespace {

// Counts a request as in flight from its arrival until its handler returns (the whole body of a
// non-streaming reply is set by then), keeping the maximum seen.
class InFlight {
 public:
  InFlight(std::atomic<size_t>& now, std::atomic<size_t>& max) : now_(now) {
    size_t n = ++now_;
    size_t m = max.load();
    while (n > m && !max.compare_exchange_weak(m, n)) {
    }
  }
  ~InFlight() { --now_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<size_t>& now_;
};

}  // namespace

class MockLlmServer::Impl {
 public:
  Impl(MockLlmServer& owner, const Options& options) : owner_(owner), options_(options) {}

  httplib::Server server;
  std::thread thread;
  std::atomic<bool> stopping{false};

  void install_routes() {
    server.Post("/v1/messages", [this](const httplib::Request& req, httplib::Response& res) {
      handle(anthropic_wire(), req, res, {}, false, options_.anthropic_key);
    });
    server.Post("/v1/chat/completions",
                [this](const httplib::Request& req, httplib::Response& res) {
                  handle(openai_wire(), req, res, {}, false, options_.openai_key);
                });
    server.Post(R"(/(v1|v1beta)/models/([^/:]+):(generateContent|streamGenerateContent))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  bool stream = req.matches[3] == "streamGenerateContent";
                  handle(gemini_wire(), req, res, req.matches[2], stream, options_.gemini_key);
                });
  }

  // Sleeps, but returns early once the server is stopping, so stop() never waits for a fault.
  // A condition variable rather than short sleeps: many concurrent replies must not cost CPU.
  void sleep_ms(int64_t ms) {
    if (ms <= 0) return;
    std::unique_lock lock(sleep_mutex_);
    sleep_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping.load(); });
  }
  void wake_sleepers() {
    std::lock_guard lock(sleep_mutex_);
    sleep_cv_.notify_all();
  }

  void push_fault(const std::string& spec, int times) {
    std::lock_guard lock(mutex_);
    faults_.emplace_back(spec, times);
  }
  void clear_faults() {
    std::lock_guard lock(mutex_);
    faults_.clear();
  }
  size_t count(const std::string& api) const {
    std::lock_guard lock(mutex_);
    auto it = per_api_.find(api);
    return it == per_api_.end() ? 0 : it->second;
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return {log_.begin(), log_.end()};
  }
  void clear_requests() {
    std::lock_guard lock(mutex_);
    log_.clear();
  }

 private:
  std::string take_fault(const std::string& from_header) {
    if (!from_header.empty()) return from_header;
    std::lock_guard lock(mutex_);
    if (!faults_.empty()) {
      std::string spec = faults_.front().first;
      if (--faults_.front().second <= 0) faults_.pop_front();
      return spec;
    }
    return options_.default_fault;
  }

  void error(const WireFormat& w, httplib::Response& res, int status, std::string_view message,
             std::string_view code = {}) {
    res.status = status;
    res.set_content(w.error_body(status, message, code), "application/json");
  }

  static std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> pieces;
    size_t start = 0;
    while (start < text.size()) {
      size_t next = text.find(' ', start + 1);
      if (next == std::string::npos) next = text.size();
      pieces.push_back(text.substr(start, next - start));
      start = next;
    }
    return pieces;
  }

  void handle(const WireFormat& w, const httplib::Request& req, httplib::Response& res,
              std::string path_model, bool stream_path, const std::string& expected_key) {
    ReceivedRequest rec;
    rec.api = std::string(w.name());
    rec.method = req.method;
    rec.target = req.target;
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      rec.headers.emplace_back(std::move(name), v);
    }
    rec.body = req.body;
    rec.remote_port = req.remote_port;
    rec.received_at = std::chrono::steady_clock::now();
    rec.fault = take_fault(header_value(rec.headers, "x-mock-fault"));
    const FaultSpec fault = parse_fault_spec(rec.fault);
    const uint64_t n = ++next_id_;
    ++owner_.request_count_;
    InFlight in_flight(owner_.in_flight_, owner_.max_in_flight_);
    {
      std::lock_guard lock(mutex_);
      ++per_api_[rec.api];
      if (options_.record_requests) log_.push_back(rec);
    }

    sleep_ms(owner_.latency_ms_);
    if (fault.is("slow_first_byte")) sleep_ms(fault.param("ms", 2000));

    AuthCheck auth = w.check_auth(rec.headers, expected_key);
    if (fault.is("auth") && auth.ok) auth = {false, "invalid authentication credentials"};
    if (!auth.ok) return error(w, res, 401, auth.message);

    if (w.name() == "anthropic" && header_value(rec.headers, "anthropic-version").empty())
      return error(w, res, 400, "anthropic-version: header is required");
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
      return error(w, res, 400, "Content-Type must be application/json");
    boost::system::error_code ec;
    json::value body = json::parse(req.body, ec);
    if (ec || !body.is_object())
      return error(w, res, 400,
                   "There was an error parsing the body: " +
                       (ec ? ec.message() : std::string("not a JSON object")));
    if (auto problem = w.validate(body.get_object(), stream_path))
      return error(w, res, 400, *problem);
    if (w.name() == "gemini" && stream_path && req.get_param_value("alt") != "sse")
      return error(w, res, 400, "the mock serves streamGenerateContent only with alt=sse");

    // Faults that replace the reply with an error.
    if (fault.is("rate_limit")) {
      int64_t ms = fault.param("retry_after_ms", 1000);
      res.status = 429;
      if (w.retry_after_in_headers()) {
        // Fractional seconds are non-standard; they keep tests fast. Whole seconds stay integers.
        res.set_header("retry-after",
                       ms % 1000 == 0 ? std::to_string(ms / 1000) : std::to_string(ms / 1000.0));
        if (w.name() == "openai") res.set_header("retry-after-ms", std::to_string(ms));
      }
      res.set_content(w.rate_limit_body(ms), "application/json");
      return;
    }
    if (fault.is("server_error")) return error(w, res, 500, "Internal server error");
    if (fault.is("overloaded")) return error(w, res, w.overloaded_status(), "Overloaded");
    if (fault.is("status")) {
      int code = static_cast<int>(fault.param("code", 500));
      return error(w, res, code, "mock status " + std::to_string(code));
    }
    if (fault.is("context_window")) {
      res.status = 400;
      res.set_content(w.context_window_body(), "application/json");
      return;
    }

    Prompt prompt = w.read_prompt(body.get_object(), std::move(path_model), stream_path);
    Reply reply;
    reply.model = prompt.model;
    reply.include_usage = prompt.include_usage;
    reply.id = w.name() == "anthropic" ? "msg_mock" + std::to_string(n)
               : w.name() == "openai"  ? "chatcmpl-mock" + std::to_string(n)
                                       : "mock" + std::to_string(n);
    reply.input_tokens = prompt.input_words;
    if (fault.is("content_filter")) {
      reply.finish = "content_filter";
    } else if (fault.is("oversize")) {
      size_t bytes = static_cast<size_t>(fault.param("bytes", 32 << 20));
      for (size_t done = 0; done < bytes; done += 65536)
        reply.pieces.push_back(std::string(std::min<size_t>(65536, bytes - done), 'x'));
      reply.finish = "stop";
    } else {
      auto words = split_words(options_.reply_text.empty() ? "echo: " + prompt.last_user_text
                                                           : options_.reply_text);
      reply.finish = "stop";
      if (static_cast<int64_t>(words.size()) > prompt.max_tokens) {
        words.resize(static_cast<size_t>(prompt.max_tokens));
        reply.finish = "length";
      }
      reply.pieces = std::move(words);
    }
    reply.output_tokens = static_cast<int64_t>(reply.pieces.size());
    for (const auto& [k, v] : w.reply_headers(reply).items) res.set_header(k, v);

    // malformed_json_body: a JSON reply (content type and all) that is not valid JSON, even to a
    // streaming request; ignore_stream: a whole JSON reply to a streaming request, as servers
    // without streaming send.
    const bool json_reply =
        !prompt.stream || fault.is("malformed_json_body") || fault.is("ignore_stream");
    if (json_reply) {
      const bool broken = fault.is("malformed_json") || fault.is("malformed_json_body");
      std::string text = broken ? "{\"id\": \"broken\", \"content\": [{\"te" : w.reply_body(reply);
      if (fault.is("truncate") || fault.is("disconnect") || fault.is("stall")) {
        // Declares the full length, sends half, then (after a stall) drops the connection.
        int64_t stall = fault.is("stall") ? fault.param("ms", 10000) : 0;
        auto shared = std::make_shared<std::string>(std::move(text));
        res.set_content_provider(shared->size(), "application/json",
                                 [this, shared, stall](size_t, size_t, httplib::DataSink& sink) {
                                   sink.write(shared->data(), shared->size() / 2);
                                   if (stall > 0) sleep_ms(stall);
                                   return false;
                                 });
        return;
      }
      res.set_content(text, "application/json");
      return;
    }

    auto events = std::make_shared<std::vector<std::string>>(w.stream_events(reply));
    const std::string mode = fault.name;
    const int64_t stall = fault.param("ms", 10000);
    const std::string malformed = w.malformed_event();
    const int chunk_delay = options_.stream_chunk_delay_ms;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, events, mode, stall, malformed, chunk_delay](size_t, httplib::DataSink& sink) {
          const size_t total = events->size();
          const bool cut = mode == "truncate" || mode == "disconnect" || mode == "stall" ||
                           mode == "malformed_json";
          const size_t send = cut ? std::max<size_t>(1, total / 2) : total;
          for (size_t i = 0; i < send; ++i) {
            if (!sink.write((*events)[i].data(), (*events)[i].size())) return false;
            if (chunk_delay > 0) sleep_ms(chunk_delay);
          }
          if (mode == "malformed_json") {
            sink.write(malformed.data(), malformed.size());
            sink.done();
            return true;
          }
          if (mode == "disconnect") return false;
          if (mode == "stall") {
            sleep_ms(stall);
            return false;
          }
          sink.done();  // a clean end, after all events or (truncate) half of them
          return true;
        });
  }

  MockLlmServer& owner_;
  Options options_;
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  mutable std::mutex mutex_;
  std::deque<std::pair<std::string, int>> faults_;
  std::deque<ReceivedRequest> log_;  // a deque: growing it never copies the entries
  std::map<std::string, size_t> per_api_;
  std::atomic<uint64_t> next_id_{0};
};

namespace {

// Debian's libcpp-httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG is compiled into
// the library): when a benchmark opens 128 connections at once, the SYNs past the backlog are
// dropped and retried a second later, which looks like a slow client. Calling listen() again on
// the bound socket raises the backlog (Linux allows it); the socket is found by its port.
void raise_listen_backlog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    }
    if (bound == port) ::listen(fd, 1024);
  }
}

}  // namespace

MockLlmServer::MockLlmServer() : MockLlmServer(Options{}) {}

MockLlmServer::MockLlmServer(Options options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(*this, options_)) {
  latency_ms_ = options_.latency_ms;
}

MockLlmServer::~MockLlmServer() {
  stop();
}

void MockLlmServer::start() {
  if (impl_->thread.joinable()) return;
  size_t threads = options_.threads;
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_keep_alive_max_count(1000000);
  impl_->server.set_keep_alive_timeout(10);
  // Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus the client's
  // delayed ACK add ~40 ms to every reply.
  impl_->server.set_tcp_nodelay(true);
  impl_->install_routes();
  if (options_.port == 0) {
    port_ = impl_->server.bind_to_any_port(options_.host);
  } else {
    port_ = impl_->server.bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0)
    throw std::runtime_error("mock LLM server: cannot bind " + options_.host + ":" +
                             std::to_string(options_.port));
  raise_listen_backlog(port_);
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() is a no-op until the server runs, so wait for it.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void MockLlmServer::stop() {
  if (!impl_->thread.joinable()) return;
  {
    // The notification takes the sleepers' mutex, so no sleeper can miss it.
    impl_->stopping = true;
    impl_->wake_sleepers();
  }
  impl_->server.stop();
  impl_->thread.join();
}

std::string MockLlmServer::base_url() const {
  return "http://" + options_.host + ":" + std::to_string(port_);
}

void MockLlmServer::push_fault(const std::string& spec, int times) {
  impl_->push_fault(spec, times);
}
void MockLlmServer::clear_faults() {
  impl_->clear_faults();
}
size_t MockLlmServer::request_count(const std::string& api) const {
  return impl_->count(api);
}
std::vector<ReceivedRequest> MockLlmServer::requests() const {
  return impl_->requests();
}
void MockLlmServer::clear_requests() {
  impl_->clear_requests();
}

}  // namespace pipeline::testing
