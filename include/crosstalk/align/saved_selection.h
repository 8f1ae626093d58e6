#pragma once

#include <optional>
#include <string>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/align/symmetrize.h"

namespace crosstalk::align {

/// The way a model's alignments are best read, remembered in its directory as
/// alignment.toml: written by `align --gold G --sweep --save-selection` (the
/// lowest-AER choice) and by guided training (the guided layer and head); read by
/// align and translate when no --layer / --head / --symmetrize is given (serve does
/// not read it yet).
///
///     # crosstalk: how align reads this model's cross-attention by default
///     layer = "all"              # 1..layers, or "all" (averaged)
///     head = "avg"               # 1..heads, or "avg" (averaged)
///     symmetrize = "soft-product"  # with --reverse-model
///     origin = "align --sweep on data/align/multi30k_dev.gold: AER 0.1874"
struct SavedSelection {
  AttentionSelection attention{0, 0};
  SymmetrizeMethod method = kDefaultSymmetrizeMethod;
  std::string origin;  // how it was chosen (shown in logs and heatmap titles)
};

/// "<model_dir>/alignment.toml"
std::string selection_path(const std::string& model_dir);

/// The text of the file / parsing it. `name` prefixes every message; UserError
/// naming the line for an unknown, repeated or bad key; missing keys keep the
/// defaults above. Torch-free in what it checks (layer and head against a model
/// are checked where the model is known).
std::string format_selection(const SavedSelection& selection);
SavedSelection parse_selection(const std::string& text, const std::string& name);

/// The model directory's saved selection; std::nullopt when it has none.
std::optional<SavedSelection> read_selection(const std::string& model_dir);
/// Durable write (common/atomic_file.h).
void write_selection(const std::string& model_dir, const SavedSelection& selection);

}  // namespace crosstalk::align
