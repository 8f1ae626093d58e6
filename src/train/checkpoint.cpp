// The training checkpoint, last.pt: weights, optimizer and training state in one
// atomically written archive (train/checkpoint.h).
#include "crosstalk/train/checkpoint.h"

#include <filesystem>

#include "crosstalk/common/error.h"
#include "crosstalk/store/weights.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

using store::first_line;
using store::open_archive;
using store::pause_for_test_save_delay;
using store::read_weights;
using store::write_archive_atomic;

namespace {

const char* const kCheckpointFormat = "crosstalk-checkpoint-1";

TrainState load_legacy_parts(const store::ModelDir& dir, torch::optim::Optimizer& optimizer) {
  const std::string advice =
      " This model directory was written by an older crosstalk; its weights still translate, but to go on "
      "training start a new run in another --model-dir.";
  std::error_code ec;
  if (!fs::is_regular_file(dir.legacy_optimizer(), ec) || !fs::is_regular_file(dir.legacy_state(), ec))
    throw UserError("'" + dir.last() + "' holds weights only and the optimizer/state files beside it are missing, "
                    "so there is nothing to resume." + advice);
  try {
    torch::load(optimizer, dir.legacy_optimizer());
  } catch (const std::exception& e) {
    throw UserError("cannot load optimizer state '" + dir.legacy_optimizer() + "' (truncated: cut short by a kill "
                    "during a save?)." + advice);
  }
  return load_train_state(dir.legacy_state());
}

}  // namespace

void save_checkpoint(const store::ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer,
                     const TrainState& state, model::Transformer* average) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  archive.write("crosstalk_checkpoint", c10::IValue(std::string(kCheckpointFormat)));
  torch::serialize::OutputArchive optimizer_part;
  optimizer.save(optimizer_part);
  archive.write("optimizer", optimizer_part);
  torch::serialize::OutputArchive state_part;
  write_train_state(state_part, state);
  archive.write("train_state", state_part);
  if (average) {
    torch::serialize::OutputArchive average_part;
    (*average)->save(average_part);
    archive.write("weight_average", average_part);
  }
  write_archive_atomic(archive, dir.last(), pause_for_test_save_delay);
  // The legacy parts (if this directory had them) are now stale.
  std::error_code ec;
  fs::remove(dir.legacy_optimizer(), ec);
  fs::remove(dir.legacy_state(), ec);
}

bool load_weight_average(const store::ModelDir& dir, model::Transformer& average) {
  auto archive = open_archive(dir.last(), "checkpoint");
  torch::serialize::InputArchive part;
  if (!archive.try_read("weight_average", part)) return false;
  read_weights(average, part, dir.last() + " (weight_average)");
  return true;
}

bool has_checkpoint(const store::ModelDir& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir.last(), ec);
}

TrainState load_checkpoint(const store::ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer) {
  auto archive = open_archive(dir.last(), "checkpoint");
  read_weights(model, archive, dir.last());
  c10::IValue format;
  if (!archive.try_read("crosstalk_checkpoint", format)) return load_legacy_parts(dir, optimizer);
  if (!format.isString() || format.toStringRef() != kCheckpointFormat)
    throw UserError("'" + dir.last() + "' is a checkpoint in a format this crosstalk does not know");
  try {
    torch::serialize::InputArchive optimizer_part;
    archive.read("optimizer", optimizer_part);
    optimizer.load(optimizer_part);
  } catch (const std::exception& e) {
    throw UserError("cannot load the optimizer state in '" + dir.last() + "': " + first_line(e));
  }
  torch::serialize::InputArchive state_part;
  try {
    archive.read("train_state", state_part);
  } catch (const std::exception& e) {
    throw UserError("cannot load the training state in '" + dir.last() + "': " + first_line(e));
  }
  return read_train_state(state_part, dir.last());
}

}  // namespace crosstalk::train
