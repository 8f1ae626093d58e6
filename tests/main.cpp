// The test binary's main: Catch2's, after the one setting every test shares.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "crosstalk/common/threads.h"

namespace {
// One compute thread for every test, set before any tensor operation (see
// common/threads.h): results then do not depend on OMP_NUM_THREADS, on the
// machine's core count, or on which test ran first in the process; and
// `ctest -j2` on two cores does not oversubscribe them.
constexpr int kTestThreads = 1;
}  // namespace

int main(int argc, char* argv[]) {
  crosstalk::set_compute_threads(kTestThreads);
  return Catch::Session().run(argc, argv);
}
