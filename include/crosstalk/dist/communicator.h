#pragma once

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crosstalk/dist/world.h"

namespace crosstalk::dist {

struct CommunicatorOptions {
  std::string backend = "auto";           // gloo | nccl | auto (NCCL for CUDA where built in, else Gloo)
  std::chrono::seconds timeout{300};      // one collective; also how long a failure report waits
  std::chrono::seconds join_timeout{300}; // the rendezvous: processes start at different times
  torch::Device device{torch::kCPU};      // where the reduced tensors live
};

/// One process's membership of a data-parallel world: PyTorch's c10d (a
/// TCPStore on rank 0 for the rendezvous and small messages, ProcessGroupGloo
/// or ProcessGroupNCCL for the collectives). A failed collective is a UserError
/// of one line naming this rank and the lost one(s).
class Communicator {
 public:
  virtual ~Communicator() = default;
  const World& world() const { return world_; }
  /// "gloo" or "nccl".
  virtual std::string backend() const = 0;

  /// Sums each tensor over all ranks, in place (one collective per tensor, all in flight at once).
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  /// Overwrites each tensor with rank `root`'s.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;

  /// The store: set a value; get one, waiting for it as long as the store is
  /// reachable (no time limit: rank 0's validations and saves may take long).
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual std::string get(const std::string& key) = 0;
  /// Marks this rank failed and throws the UserError naming the lost rank(s):
  /// "rank R: distributed training stopped, WHAT; lost rank K (...)".
  [[noreturn]] virtual void fail(const std::string& what) = 0;

 protected:
  explicit Communicator(World world) : world_(std::move(world)) {}

 private:
  World world_;
};

/// Whether this build has distributed training (c10d and Gloo's headers were
/// found at configure time, CROSSTALK_DISTRIBUTED_TRAINING=ON).
bool distributed_available();

/// Joins `world` (world.size > 1). UserError, one line, for a port in use, an
/// unreachable rank 0, a missing backend or a build without distributed training.
std::unique_ptr<Communicator> connect(const World& world, const CommunicatorOptions& options);

}  // namespace crosstalk::dist
