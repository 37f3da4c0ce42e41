// A pool of blocking hiredis connections to one Redis server, with connect and command timeouts.
// A connection that saw an I/O error or timeout is closed (its stream state is unknown); the next
// call connects afresh. Callers wait for a free connection up to the command timeout.
//
//   RedisPool pool(options);
//   RedisReply r = pool.command({"GET", key});   // throws RedisFailure
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::cache_redis {

// Why a command failed: Redis could not be reached or did not answer in time (kConnection), it
// answered with an error reply (kReply), or every pooled connection stayed busy (kPoolBusy).
class RedisFailure : public std::runtime_error {
 public:
  enum class Kind { kConnection, kReply, kPoolBusy };
  RedisFailure(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }
  bool connection() const noexcept { return kind_ == Kind::kConnection; }

 private:
  Kind kind_;
};

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, ReplyFree>;

class RedisPool {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;
    int db = 0;
    std::chrono::milliseconds connect_timeout{200};
    std::chrono::milliseconds command_timeout{200};
    std::size_t size = 8;
  };

  explicit RedisPool(Options options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // Runs one command (binary-safe arguments). Error replies throw RedisFailure(false, ...).
  // A failure on a reused connection is retried once on a new one: after a server restart every
  // pooled connection is stale, and that must not look like an outage.
  RedisReply command(const std::vector<std::string_view>& args);
  // Closes idle connections (after an outage they are all stale).
  void drop_idle();
  std::size_t open_connections() const;
  const Options& options() const { return options_; }

 private:
  struct ContextFree {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  using Context = std::unique_ptr<redisContext, ContextFree>;

  Context connect();
  Context acquire(bool& reused);
  void release(Context c);
  RedisReply run(redisContext* c, const std::vector<std::string_view>& args);

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Context> idle_;
  std::size_t open_ = 0;  // idle plus lent out
};

}  // namespace pipeline::cache_redis
