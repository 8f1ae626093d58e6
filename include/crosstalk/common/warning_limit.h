#pragma once

#include <cstdint>

namespace crosstalk {

/// Repeated warnings of one kind: the first `shown` are printed one by one, the rest
/// only counted, for one summary line at the end ("... and 250 more").
class WarningLimit {
 public:
  static constexpr int64_t kDefaultShown = 5;
  explicit WarningLimit(int64_t shown = kDefaultShown) : shown_(shown) {}

  /// Counts one occurrence; true while it is among the first `shown` (print it in full).
  bool next() { return ++count_ <= shown_; }
  int64_t count() const { return count_; }
  /// Counted but not printed: what the summary line has to report.
  int64_t hidden() const { return count_ > shown_ ? count_ - shown_ : 0; }
  int64_t shown() const { return count_ < shown_ ? count_ : shown_; }

 private:
  int64_t shown_;
  int64_t count_ = 0;
};

}  // namespace crosstalk
