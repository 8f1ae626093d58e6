#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/batches.h"

namespace crosstalk::train {

struct TrainOptions;
struct ModelDir;

/// The data of a training run, encoded: the training pairs that pass the
/// length filter, the validation pairs, and the validation lines scored by BLEU.
struct TrainingData {
  std::vector<Example> train;
  std::vector<Example> valid;
  std::vector<std::string> bleu_src, bleu_ref;  // first --valid-bleu-lines validation pairs
  int64_t dropped_by_length = 0;
  int64_t train_target_tokens = 0;             // incl. EOS
};

/// The training and validation files as read and checked (before the
/// vocabulary exists). UserError for unreadable or empty data.
struct RawData {
  text::ParallelCorpus train, valid;
  std::vector<align::Alignment> train_links;  // --guided-alignment: the word links of each training pair; else empty
};
RawData read_data(const TrainOptions& options);

/// The model directory's vocabulary: reused when spm.model exists, else
/// trained on both sides of the training pairs read_data() kept (so a skipped
/// pair is neither warned about twice nor learned from) and written atomically
/// (a kill during training leaves no spm.model, so the next run trains it again).
text::Vocab prepare_vocab(const TrainOptions& options, const ModelDir& dir, const RawData& raw);

/// Encodes and filters what read_data() read (the "prepare" phase's data part).
TrainingData prepare_data(const TrainOptions& options, const RawData& raw, const text::Vocab& vocab);

}  // namespace crosstalk::train
