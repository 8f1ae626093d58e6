#pragma once

#include <cstdint>
#include <string>

#include "crosstalk/text/corpus.h"

namespace crosstalk::train {

/// What a run is called when the user names nothing: the corpus and its languages,
/// read off the training file names.
struct CorpusNames {
  std::string corpus;    // e.g. "multi30k" for data/multi30k/train.de
  std::string src_lang;  // e.g. "de"; "src" when neither the file nor a flag says
  std::string tgt_lang;  // e.g. "en"; "tgt" likewise
};

/// Languages: --src-lang/--tgt-lang when given, else the file suffixes when they are two
/// different language-like codes ("my.en", "my.es"), else "src" and "tgt". Corpus: the
/// name the two files share without their suffixes; a generic one ("train", "corpus",
/// ...) gives way to the directory's name (data/multi30k/train.de -> "multi30k").
/// Characters other than letters, digits, '.', '-' and '_' become '_'.
CorpusNames corpus_names(const std::string& train_src, const std::string& train_tgt,
                         const std::string& src_lang_flag, const std::string& tgt_lang_flag);

/// "models/<corpus>_<src>_<tgt>".
std::string default_model_dir(const CorpusNames& names);

/// Distinct whitespace-separated words over both sides of the corpus.
int64_t count_word_types(const text::ParallelCorpus& corpus);

/// The joint SentencePiece vocabulary size for a corpus of `word_types` distinct
/// words: a fifth of them (Multi30k de-en: 39,491 types -> 8,000, the hand-tuned
/// value), rounded (to 1,000 from 5,000 up, to 500 from 1,000, else to 50), at least
/// 100 and at most 32,000. Too large a vocabulary for the text makes SentencePiece
/// fail or keep whole rare words; too small over-splits.
int derive_vocab_size(int64_t word_types);

/// The warmup for a run's budget of updates, and how it was reached.
struct WarmupEstimate {
  int64_t warmup = 0;
  int64_t expected_updates = 0;  // the nearest of --max-steps, --max-epochs and --minutes
  std::string basis;             // one phrase for the log: which budget, and the estimate
};

/// What derive_warmup() reads.
struct BudgetInputs {
  int64_t max_steps = 0, max_epochs = 0;
  double minutes = 0.0;
  int64_t updates_per_epoch = 1;
  double target_tokens_per_update = 1.0;  // mean over an epoch
  int64_t parameters = 1;                 // of the model being trained
};

/// Warmup = 45% of the expected updates (the hand-tuned recipe: 400 of ~900 updates
/// in 12 minutes), rounded to 10, at least 10 and at most 4,000 (the GPU-scale value of
/// Vaswani et al.). Minutes become updates at the rate a 2-core CPU reaches for this
/// model size (2,100 target tokens/s for 7.59M parameters, inversely proportional to
/// the parameters): a fixed reference, so that the same command always derives the
/// same schedule (--resume included), whatever machine runs it.
WarmupEstimate derive_warmup(const BudgetInputs& in);

}  // namespace crosstalk::train
