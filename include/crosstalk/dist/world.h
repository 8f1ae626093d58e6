#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace crosstalk::dist {

/// Where this process stands in a data-parallel run, in torchrun's terms.
struct World {
  int rank = 0;
  int size = 1;
  int local_rank = 0;          // rank on this machine: picks cuda:LOCAL_RANK
  std::string master_addr;     // rank 0's host, where its TCPStore listens
  int master_port = 0;
  bool distributed() const { return size > 1; }
  bool main() const { return rank == 0; }
};

/// From RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT. `env` maps a
/// name to its value (absent: unset). No WORLD_SIZE and no RANK: a single
/// process. UserError, one line naming the variable, for a missing, malformed
/// or inconsistent one (RANK >= WORLD_SIZE, a port outside 1..65535, ...).
World world_from(const std::map<std::string, std::string>& env);
/// world_from() of this process's environment.
World world_from_environment();

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int free_port();

/// The contiguous share [begin, end) of n items that rank `rank` of `size` takes:
/// the shares are disjoint, cover [0, n) in order, and differ in size by at most one
/// (the first n % size ranks take one more); a share may be empty.
std::pair<size_t, size_t> shard_of(size_t n, int rank, int size);

}  // namespace crosstalk::dist
