#include "redis_pool.hpp"

#include <sys/time.h>

namespace pipeline::cache_redis {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

RedisPool::RedisPool(Options options) : options_(std::move(options)) {
  if (options_.size == 0) options_.size = 1;
}

RedisPool::~RedisPool() = default;

RedisPool::Context RedisPool::connect() {
  Context c(redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                    to_timeval(options_.connect_timeout)));
  if (!c) throw RedisFailure(RedisFailure::Kind::kConnection, "cannot allocate a redis context");
  if (c->err != 0)
    throw RedisFailure(RedisFailure::Kind::kConnection, std::string("connect: ") + c->errstr);
  if (redisSetTimeout(c.get(), to_timeval(options_.command_timeout)) != REDIS_OK) {
    throw RedisFailure(RedisFailure::Kind::kConnection, "cannot set the command timeout");
  }
  if (!options_.password.empty()) run(c.get(), {"AUTH", options_.password});
  if (options_.db != 0) {
    const std::string db = std::to_string(options_.db);
    run(c.get(), {"SELECT", db});
  }
  return c;
}

RedisPool::Context RedisPool::acquire(bool& reused) {
  std::unique_lock lock(mutex_);
  const bool got = available_.wait_for(lock, options_.command_timeout,
                                       [&] { return !idle_.empty() || open_ < options_.size; });
  if (!got) throw RedisFailure(RedisFailure::Kind::kPoolBusy, "all redis connections are busy");
  if (!idle_.empty()) {
    Context c = std::move(idle_.back());
    idle_.pop_back();
    reused = true;
    return c;
  }
  ++open_;  // reserve the slot before connecting outside the lock
  lock.unlock();
  reused = false;
  try {
    return connect();
  } catch (...) {
    std::lock_guard relock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void RedisPool::release(Context c) {
  std::lock_guard lock(mutex_);
  if (c) {
    idle_.push_back(std::move(c));
  } else {
    --open_;  // the connection was broken and has been closed
  }
  available_.notify_one();
}

void RedisPool::drop_idle() {
  std::vector<Context> closing;
  {
    std::lock_guard lock(mutex_);
    open_ -= idle_.size();
    closing.swap(idle_);
    available_.notify_all();
  }
  // closed here, outside the lock
}

std::size_t RedisPool::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

RedisReply RedisPool::run(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  RedisReply r(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (!r) {
    throw RedisFailure(RedisFailure::Kind::kConnection,
                       c->err != 0 ? std::string(c->errstr) : std::string("no reply"));
  }
  if (r->type == REDIS_REPLY_ERROR)
    throw RedisFailure(RedisFailure::Kind::kReply, std::string(r->str, r->len));
  return r;
}

RedisReply RedisPool::command(const std::vector<std::string_view>& args) {
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    Context c = acquire(reused);
    try {
      RedisReply r = run(c.get(), args);
      release(std::move(c));
      return r;
    } catch (const RedisFailure& e) {
      if (!e.connection()) {
        release(std::move(c));  // an error reply leaves the connection usable
        throw;
      }
      c.reset();
      release(nullptr);
      if (!reused || attempt > 0) throw;
      drop_idle();  // the server went away at least once: its other connections are stale too
    }
  }
}

}  // namespace pipeline::cache_redis
