// Turns SIGINT/SIGTERM into cancellation of a run instead of killing the process, so steps stop
// at their next check, checkpoints and output files stay whole, and the run reports "cancelled".
//
//   InterruptWatcher watch(exec.cancel);   // before any other thread starts
#pragma once

#include <pipeline/plugins/call_context.hpp>

#include <pthread.h>
#include <csignal>
#include <thread>

namespace pipeline::cli {

class InterruptWatcher {
 public:
  explicit InterruptWatcher(CancellationToken token) {
    // Blocked here, the signals are inherited as blocked by every thread started later (plugins'
    // included) and reach only the watcher's sigwait().
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR2);  // our own wake-up at shutdown
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this, token] {
      int sig = 0;
      while (sigwait(&set_, &sig) == 0) {
        if (sig == SIGUSR2) return;
        token.cancel();
      }
    });
  }
  ~InterruptWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

 private:
  sigset_t set_{};
  sigset_t previous_{};
  std::thread thread_;
};

}  // namespace pipeline::cli
