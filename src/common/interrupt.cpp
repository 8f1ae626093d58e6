#include "crosstalk/common/interrupt.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace crosstalk {

namespace {

std::atomic<int> g_signal{0};
std::atomic<long long> g_first_ns{0};
const char* g_what = "";
struct sigaction g_old_int, g_old_term;
std::atomic<int> g_depth{0};

long long now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // async-signal-safe
  return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

void say(const char* s) {
  const ssize_t ignored = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)ignored;
}

void on_signal(int sig) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, sig)) {
    g_first_ns.store(now_ns());
    say("\ncrosstalk: interrupted: ");
    say(g_what);
    say(" (signal again to quit at once)\n");
    return;
  }
  const double waited = static_cast<double>(now_ns() - g_first_ns.load()) * 1e-9;
  if (waited < InterruptScope::kForceQuitSeconds) return;  // one keypress seen twice
  say("\ncrosstalk: second interrupt: quitting now\n");
  ::_exit(128 + sig);
}

}  // namespace

InterruptScope::InterruptScope(const char* what) {
  if (g_depth.fetch_add(1) > 0) return;  // nested: the outer scope's handlers stay
  g_what = what;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptScope::~InterruptScope() {
  if (g_depth.fetch_sub(1) > 1) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool interrupt_requested() { return g_signal.load() != 0; }
int interrupt_signal() { return g_signal.load(); }
int interrupt_exit_code() { return g_signal.load() == 0 ? 0 : 128 + g_signal.load(); }
void clear_interrupt() {
  g_signal.store(0);
  g_first_ns.store(0);
}

}  // namespace crosstalk
