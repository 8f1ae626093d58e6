#pragma once

namespace crosstalk {

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop at the next safe point.
///
/// While an InterruptScope is alive, the first of these signals only raises a
/// flag that long loops poll (interrupt_requested()): training finishes its
/// step and saves, translate/align flush the whole lines written so far. A
/// second signal, at least kForceQuitSeconds after the first, ends the process
/// at once with 128 + signal; files written through common/atomic_file.h are
/// then left as they were before the write that was cut short. A second signal
/// sooner than that (a double keypress) is ignored.
/// Outside a scope the signals keep their previous disposition.
class InterruptScope {
 public:
  static constexpr double kForceQuitSeconds = 1.0;
  /// `what` is the line printed on stderr at the first signal, e.g.
  /// "finishing the current step, then saving a checkpoint".
  explicit InterruptScope(const char* what);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

/// True once SIGINT or SIGTERM arrived inside an InterruptScope (async-signal-safe).
bool interrupt_requested();
/// The signal that asked to stop (SIGINT or SIGTERM), 0 when none.
int interrupt_signal();
/// 128 + interrupt_signal(): 130 for SIGINT, 143 for SIGTERM (0 when none).
int interrupt_exit_code();
/// Forgets a request (tests run several scopes in one process).
void clear_interrupt();

}  // namespace crosstalk
