#include "postgres_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "redis_server.hpp"  // free_loopback_port()

namespace pipeline::testing {

namespace fs = std::filesystem;

namespace {

bool has_server_binaries(const fs::path& dir) {
  return ::access((dir / "initdb").c_str(), X_OK) == 0 &&
         ::access((dir / "postgres").c_str(), X_OK) == 0;
}

// The account the server runs as when we are root; nullptr when we are not root.
const passwd* server_account() {
  if (::geteuid() != 0) return nullptr;
  return ::getpwnam("postgres");
}

}  // namespace

fs::path PostgresServer::bin_dir() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (has_server_binaries(e.path() / "bin")) found.push_back(e.path() / "bin");
  }
  if (!found.empty()) {
    // The newest major version: "15" > "13" numerically, not as text ("9" would win).
    std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
      return std::atoi(a.parent_path().filename().c_str()) <
             std::atoi(b.parent_path().filename().c_str());
    });
    return found.back();
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && has_server_binaries(dir)) return dir;
  }
  return {};
}

bool PostgresServer::available() {
  if (bin_dir().empty()) return false;
  return ::geteuid() != 0 || server_account() != nullptr;
}

PostgresServer::PostgresServer(std::string password) : password_(std::move(password)) {
  std::string tmpl = (fs::temp_directory_path() / "pipeline-pg-XXXXXX").string();
  if (char* made = ::mkdtemp(tmpl.data()); made != nullptr) dir_ = made;
  if (const passwd* pw = server_account(); pw != nullptr && !dir_.empty()) {
    // The server's user owns its folder (initdb creates data/ in it, the socket lives in it).
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      error_ = "cannot chown " + dir_.string();
  }
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

pid_t PostgresServer::spawn(const std::vector<std::string>& argv, const fs::path& log) {
  const passwd* pw = server_account();
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const uid_t uid = pw != nullptr ? pw->pw_uid : 0;
  const gid_t gid = pw != nullptr ? pw->pw_gid : 0;
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  // The child writes through the inherited descriptor; the owner only matters for tidiness.
  if (log_fd >= 0 && pw != nullptr && ::fchown(log_fd, uid, gid) != 0) error_ = "cannot chown log";
  pid_t pid = ::fork();
  if (pid != 0) {
    if (log_fd >= 0) ::close(log_fd);
    return pid;
  }
  // The child: its own process group, so a Ctrl-C meant for the test does not shut it down
  // before the test's own cleanup does.
  ::setpgid(0, 0);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  if (log_fd >= 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
  }
  if (pw != nullptr) {
    // Group first: once the uid is dropped, the group can no longer be changed.
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(126);
    if (::setuid(0) == 0) ::_exit(126);  // the drop must be irreversible
  }
  if (::chdir(dir_.c_str()) != 0) ::_exit(126);
  ::execv(cargv[0], cargv.data());
  ::_exit(127);
}

std::string PostgresServer::log_tail(const fs::path& log) const {
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

bool PostgresServer::init_cluster() {
  if (dir_.empty()) {
    error_ = "no temporary folder";
    return false;
  }
  const fs::path bin = bin_dir();
  std::vector<std::string> argv = {
      (bin / "initdb").string(), "-D",        (dir_ / "data").string(), "-U", kUser, "--no-locale",
      "--encoding=UTF8",         "--no-sync", "--no-instructions"};
  if (password_.empty()) {
    argv.push_back("--auth=trust");
  } else {
    const fs::path pwfile = dir_ / "pwfile";
    std::ofstream(pwfile) << password_ << "\n";
    if (const passwd* pw = server_account(); pw != nullptr) {
      if (::chown(pwfile.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        error_ = "cannot chown " + pwfile.string();
        return false;
      }
    }
    argv.push_back("--pwfile=" + pwfile.string());
    argv.push_back("--auth-host=scram-sha-256");
    argv.push_back("--auth-local=trust");
  }
  const fs::path log = dir_ / "initdb.log";
  pid_t pid = spawn(argv, log);
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::error_code ec;
  fs::remove(dir_ / "pwfile", ec);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error_ = "initdb failed (status " + std::to_string(status) + "): " + log_tail(log);
    return false;
  }
  initialized_ = true;
  return true;
}

bool PostgresServer::ready() const {
  const std::string conninfo = dsn() + " connect_timeout=2";
  return PQping(conninfo.c_str()) == PQPING_OK;
}

bool PostgresServer::start() {
  if (running()) return true;
  if (!initialized_ && !init_cluster()) return false;
  const fs::path log = dir_ / "server.log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (port_ == 0) port_ = free_loopback_port();
    pid_t pid = spawn({(bin_dir() / "postgres").string(), "-D", (dir_ / "data").string(), "-p",
                       std::to_string(port_), "-k", dir_.string(), "-c",
                       "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB",
                       "-c", "max_connections=40", "-c", "logging_collector=off"},
                      log);
    if (pid < 0) {
      error_ = "fork failed";
      return false;
    }
    pid_ = pid;
    // Crash recovery after kill() can take a moment on a loaded machine.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ready()) {
        started_once_ = true;
        error_.clear();
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was probably taken
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      error_ = "postgres did not accept connections within 30 s: " + log_tail(log);
      kill();
      return false;
    }
    error_ = "postgres exited: " + log_tail(log);
    // A restart must keep its port (clients reconnect to it); a first start may pick another.
    if (!started_once_) port_ = 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

namespace {

// The processes whose parent is `parent`, from /proc (each backend calls setsid(), so the
// server's process group holds the postmaster alone).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z') out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

bool gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

}  // namespace

void PostgresServer::kill() {
  frozen_.clear();  // SIGKILL ends stopped processes too
  if (pid_ <= 0) return;
  // A crash of the whole server: the postmaster first (so it starts nothing new), then every
  // backend, none of which gets to finish what a client sent.
  const std::vector<pid_t> children = children_of(pid_);
  ::kill(pid_, SIGKILL);
  for (pid_t c : children) ::kill(c, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t c : children) {
    while (!gone(c) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
}

void PostgresServer::freeze() {
  if (pid_ <= 0 || !frozen_.empty()) return;
  frozen_ = children_of(pid_);
  frozen_.push_back(pid_);
  for (pid_t p : frozen_) ::kill(p, SIGSTOP);
}

void PostgresServer::thaw() {
  for (pid_t p : frozen_) ::kill(p, SIGCONT);
  frozen_.clear();
}

void PostgresServer::stop() {
  thaw();  // a stopped server cannot shut down
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);  // fast shutdown: rolls back open transactions, closes sessions
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
}

std::string PostgresServer::dsn() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + kUser + " dbname=postgres";
}

}  // namespace pipeline::testing
