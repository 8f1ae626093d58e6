#pragma once

// The training checkpoint, on top of the model store (store/): weights, optimizer
// and training state in one file, for `train --resume`.

#include <torch/torch.h>

#include <string>

#include "crosstalk/model/transformer.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/train/train_state.h"

namespace crosstalk::train {

/// The checkpoint is ONE file, last.pt, written atomically: the weights (at the
/// archive's top level, so that store::load_weights and older readers see plain
/// weights), the optimizer ("optimizer") and the training state
/// ("train_state"), so its parts can never disagree. A kill -9 at any instant
/// leaves the previous checkpoint or the new one. The environment variable
/// CROSSTALK_TEST_SAVE_DELAY_MS (tests only) pauses each save before it
/// commits, so that kills land inside saves.
/// With `average` (--ema-decay), its weights go in too ("weight_average").
void save_checkpoint(const store::ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer,
                     const TrainState& state, model::Transformer* average = nullptr);

/// Restores weights, optimizer and state from last.pt, or from the legacy
/// trio (weights-only last.pt, last.optimizer.pt, last.state.pt). UserError with
/// one line saying what is broken and what to do.
TrainState load_checkpoint(const store::ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer);

/// Reads the checkpoint's averaged weights into `average`; false where it has none (a run
/// without --ema-decay, or an older crosstalk).
bool load_weight_average(const store::ModelDir& dir, model::Transformer& average);

/// Whether `dir` holds something load_checkpoint can try (new or legacy layout).
bool has_checkpoint(const store::ModelDir& dir);

}  // namespace crosstalk::train
