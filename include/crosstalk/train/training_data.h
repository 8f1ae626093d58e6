#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/store/model_dir.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/batches.h"
#include "crosstalk/train/data_report.h"

namespace crosstalk::train {

struct TrainOptions;

/// The data of a training run, encoded: the training pairs that pass the
/// length filter, the validation pairs, and the validation lines scored by BLEU.
struct TrainingData {
  std::vector<Example> train;
  std::vector<Example> valid;
  std::vector<std::string> bleu_src, bleu_ref;  // first --valid-bleu-lines validation pairs
  int64_t dropped_by_length = 0;
  int64_t train_target_tokens = 0;             // incl. EOS
  DataReport report;                           // read_data()'s counts, completed by prepare_data()
};

/// The training and validation files as read and checked (before the
/// vocabulary exists). Without validation files, options.valid_size pairs are held
/// out of the training pairs (corpus_split.h). UserError for unreadable or empty data,
/// or a split that leaves nothing to train on.
struct RawData {
  text::ParallelCorpus train, valid;
  bool held_out = false;                      // `valid` was held out of the training files
  std::vector<align::Alignment> train_links;  // --guided-alignment: the word links of each training pair; else empty
  DataReport report;                          // the counts known before encoding
};
RawData read_data(const TrainOptions& options);

/// The held-out validation pairs in the model directory (valid.<src_lang>,
/// valid.<tgt_lang>): written on a new run; on --resume compared with what is there,
/// UserError if they differ (the training files, --seed or --valid-size changed).
void keep_held_out(const TrainOptions& options, const store::ModelDir& dir, const text::ParallelCorpus& valid);

/// The model directory's vocabulary: reused when spm.model exists, else
/// trained on both sides of the training pairs read_data() kept (so a skipped
/// pair is neither warned about twice nor learned from; at most kVocabSampleLines
/// lines, a seeded sample beyond) and written atomically (a kill during training
/// leaves no spm.model, so the next run trains it again). options.vocab_size 0: the
/// size is derived from the corpus, and `derivation` says how.
text::Vocab prepare_vocab(const TrainOptions& options, const store::ModelDir& dir, const RawData& raw,
                          std::string* derivation = nullptr);
constexpr size_t kVocabSampleLines = 1000000;

/// Encodes and filters what read_data() read (the "prepare" phase's data part).
TrainingData prepare_data(const TrainOptions& options, const RawData& raw, const text::Vocab& vocab);

}  // namespace crosstalk::train
