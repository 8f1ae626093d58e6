#pragma once

// alignment.toml: the way a model's alignments are best read, remembered in its
// directory. Written by `align --gold G --sweep --save-selection` (the lowest-AER
// choice) and by guided training (the guided layer and head); read by align, translate
// and serve when no --layer / --head / --symmetrize is given.
//
//     # crosstalk: how align and translate --alignment read this model's cross-attention by default
//     layer = "all"                # 1..layers, or "all" (averaged)
//     head = "avg"                 # 1..heads, or "avg" (averaged)
//     symmetrize = "soft-product"  # with --reverse-model
//     origin = "align --sweep on data/align/multi30k_dev.gold: AER 0.1874"

#include <optional>
#include <string>

#include "crosstalk/align/selection.h"

namespace crosstalk::store {

struct SavedSelection {
  align::AttentionSelection attention{0, 0};
  align::SymmetrizeMethod method = align::kDefaultSymmetrizeMethod;
  std::string origin;  // how it was chosen (shown in logs and heatmap titles)
};

/// "<model_dir>/alignment.toml"
std::string selection_path(const std::string& model_dir);

/// The text of the file / parsing it (toml++). `name` starts every message: UserError
/// naming the line and key for a syntax error, an unknown key or a bad value; missing
/// keys keep the defaults above. Layer and head are checked against a model where the
/// model is known.
std::string format_selection(const SavedSelection& selection);
SavedSelection parse_selection(const std::string& text, const std::string& name);

/// The model directory's saved selection; std::nullopt when it has none.
std::optional<SavedSelection> read_selection(const std::string& model_dir);
/// Durable write (common/atomic_file.h).
void write_selection(const std::string& model_dir, const SavedSelection& selection);

}  // namespace crosstalk::store
