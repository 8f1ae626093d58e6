#pragma once
// Private to src/train: the checks and files around a training run (run_setup.cpp).

#include <string>

#include "crosstalk/train/trainer.h"

namespace crosstalk::train {

/// UserError with one line for the first bad option.
void check_options(const TrainOptions& options);

/// Removes the *.tmp files a kill left in the model directory (never complete, never read).
void remove_stale_temporaries(const std::string& dir);

/// train_summary.json, atomically.
void write_summary(const store::ModelDir& dir, const TrainSummary& summary);

/// The options with the names the run takes from its files where the user gave none:
/// languages and the model directory (derived_settings.h).
TrainOptions with_names(TrainOptions options);

}  // namespace crosstalk::train
