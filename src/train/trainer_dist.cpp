// The data-parallel phases of the Trainer (trainer.h): joining the world, rank 0's
// files for the others, the weight broadcast, and the others' waits for rank 0.
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <filesystem>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/device.h"
#include "crosstalk/common/error.h"
#include "crosstalk/train/trainer.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

namespace {

// A new directory /tmp/<prefix>XXXXXX of this process's own.
std::string make_temporary_directory(const std::string& prefix) {
  std::string path = "/tmp/" + prefix + "XXXXXX";
  if (!::mkdtemp(path.data())) throw UserError("cannot create a temporary directory under /tmp");
  return path;
}

}  // namespace

void Trainer::connect() {
  world_ = options_.world;
  device_ = resolve_device(options_.device);
  if (device_.is_cuda() && world_.distributed()) device_ = torch::Device(torch::kCUDA, world_.local_rank);
  if (!world_.distributed()) return;
  dist::CommunicatorOptions co;
  co.backend = options_.dist_backend;
  co.timeout = std::chrono::seconds(static_cast<int64_t>(std::ceil(options_.dist_timeout)));
  co.join_timeout = std::max(co.timeout, std::chrono::seconds(60));  // processes start at different times
  co.device = device_;
  comm_ = dist::connect(world_, co);
  spdlog::info("rank {} of world size {} joined ({} on {}, rendezvous {}:{})", world_.rank, world_.size,
               comm_->backend(), device_.str(), world_.master_addr, world_.master_port);
}

// Rank 0: "ok" with the vocabulary, config.toml and (resuming) the checkpoint it resumed
// from, or why it stopped ("interrupted", "error: ...").
void Trainer::publish_preparation(const std::string& status) {
  if (!comm_ || !world_.main()) return;
  if (status == "ok") {
    comm_->set("prepared/vocab", read_file_bytes(dir_.vocab()));
    comm_->set("prepared/config", read_file_bytes(dir_.config()));
    if (options_.resume) {
      // Saved anew: one file whatever layout the directory had, and the state as loaded.
      const auto scratch = make_temporary_directory("crosstalk-rank0-");
      store::ModelDir tmp(scratch);
      save_checkpoint(tmp, model_, *optimizer_, state_);
      comm_->set("prepared/checkpoint", read_file_bytes(tmp.last()));
      std::error_code ec;
      fs::remove_all(scratch, ec);
    }
  }
  comm_->set("prepared", status);
}

// Ranks > 0: rank 0's files into a private directory, then the same preparation from it.
bool Trainer::receive_preparation() {
  const auto status = comm_->get("prepared");
  if (status == "interrupted") return false;
  if (status != "ok")
    throw UserError("rank " + std::to_string(world_.rank) + ": rank 0 could not prepare the run (" + status + ")");
  private_dir_ = make_temporary_directory("crosstalk-rank-");
  dir_ = store::ModelDir(private_dir_);
  write_file_atomic(dir_.vocab(), comm_->get("prepared/vocab"));
  write_file_atomic(dir_.config(), comm_->get("prepared/config"));
  if (options_.resume) write_file_atomic(dir_.last(), comm_->get("prepared/checkpoint"));
  prepare_directory();
  return true;
}

void Trainer::broadcast_weights() {
  std::vector<torch::Tensor> tensors;
  for (const auto& p : model_->parameters()) tensors.push_back(p.data());
  for (const auto& b : model_->buffers()) tensors.push_back(b);
  comm_->broadcast(tensors, 0);
}

// Rank 0 does `work` (a validation, a save) while the others wait on the store, where
// --dist-timeout does not apply, and learn from it whether the run stops.
void Trainer::on_main(const std::function<void()>& work) {
  const std::string key = "after/" + std::to_string(++main_events_);
  if (world_.main()) {
    work();
    if (comm_) comm_->set(key, stop_);
  } else {
    stop_ = comm_->get(key);
  }
}

Trainer::~Trainer() {
  if (private_dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(private_dir_, ec);
}

}  // namespace crosstalk::train
