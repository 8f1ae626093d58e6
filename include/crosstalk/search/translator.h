#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/decode.h"
#include "crosstalk/search/prefix.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::search {

struct Translation {
  std::string text;               // the best hypothesis, detokenized
  std::vector<int> source_ids;    // source pieces (EOS excluded)
  Hypothesis best;
  std::vector<Hypothesis> nbest;  // beam search: up to DecodeOptions::nbest, best first
  std::vector<std::string> nbest_text;
  /// The source had more pieces than the model's position table holds (max_positions - 1,
  /// room kept for EOS): source_ids are its first ones, the rest was not translated.
  bool truncated = false;
  /// With a target prefix: how many pieces its complete words are (TargetPrefix::forced), the
  /// start every hypothesis shares; the pieces that spell an unfinished last word are not counted.
  int64_t prefix_word_pieces = 0;
  /// false only for lines left untranslated because translate() was told to stop.
  bool done = false;
};

/// A next word the model proposes after a prefix, and the translation it leads to.
struct Alternative {
  std::string word;
  double probability = 0.0;  // the model's probability of its pieces after the prefix
  std::string completion;    // the translation starting with the prefix's words and this word
};

/// What the interactive translator shows after the user typed the start of a translation:
/// the line's translation starting with that prefix, and the next words it could take.
struct Completion {
  Translation translation;
  std::vector<Alternative> alternatives;  // most likely first
};

/// Text in, text out: SentencePiece encoding, length-sorted batches, search,
/// decoding, and the original order restored.
class Translator {
 public:
  Translator(model::Transformer model, text::Vocab vocab, torch::Device device);

  /// One translation per line, in input order. Empty lines give empty translations.
  /// `stop`, if given, is asked before each batch (length-sorted, so not in input
  /// order): once it says true, the lines not yet translated are returned with
  /// done = false (e.g. stop = interrupt_requested, for Ctrl-C).
  std::vector<Translation> translate(const std::vector<std::string>& lines,
                                     const DecodeOptions& options,
                                     const std::function<bool()>& stop = {});
  /// The same with a target prefix per line (line-aligned; "" = none): each translation
  /// starts with its prefix and the model completes it (search/prefix.h). Hypothesis::
  /// prefix_pieces says how many of its pieces the prefix decided.
  std::vector<Translation> translate(const std::vector<std::string>& lines, const std::vector<std::string>& prefixes,
                                     const DecodeOptions& options, const std::function<bool()>& stop = {});
  /// For each line and the target prefix typed so far (line-aligned; "" = none): its
  /// translate() with that prefix, and the k most likely next words (search/next_words.h),
  /// each with the translation it leads to (the prefix's complete words and the word
  /// forced). The completions and the alternatives' translations are one batched search.
  std::vector<Completion> complete(const std::vector<std::string>& lines, const std::vector<std::string>& prefixes,
                                   int64_t k, const DecodeOptions& options);
  /// Just the text of translate().
  std::vector<std::string> translate_text(const std::vector<std::string>& lines,
                                          const DecodeOptions& options);

  model::Transformer& model() { return model_; }
  const text::Vocab& vocab() const { return vocab_; }
  const torch::Device& device() const { return device_; }

 private:
  model::Transformer model_;
  text::Vocab vocab_;
  torch::Device device_;
  PieceSpeller speller_;
};

}  // namespace crosstalk::search
