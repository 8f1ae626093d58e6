#pragma once

// A model directory loaded for translation: the model (in eval mode) and its
// vocabulary. The attention reading it saved is read apart (store/saved_selection.h),
// by the commands that read attention.

#include <string>

#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::store {

struct LoadedModel {
  model::Transformer model{nullptr};
  text::Vocab vocab;
  std::string weights;  // which weights file was loaded
};

/// Loads a model directory: config.toml, spm.model and best.pt (else last.pt).
/// UserError naming the missing or broken part.
LoadedModel load_model_dir(const std::string& dir);

}  // namespace crosstalk::store
