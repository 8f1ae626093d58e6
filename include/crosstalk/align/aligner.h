#pragma once

// The forward + reverse aligner: word alignments of sentence pairs read from a forward
// model's cross-attention and, with a reverse model (trained target->source), from both
// directions symmetrized. The one pipeline behind `align`, `translate --alignment`, the
// interactive translator and `serve --reverse-model`.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/align/pair_symmetrize.h"
#include "crosstalk/align/selection.h"
#include "crosstalk/common/warning_limit.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::align {

struct AlignerOptions {
  AttentionSelection selection;                        // the reading of both models
  double threshold = 0.0;                              // ExtractOptions::threshold
  SymmetrizeMethod method = kDefaultSymmetrizeMethod;  // with a reverse model
  int64_t batch_size = 32;                             // pairs force-aligned together
};

/// The alignment of one sentence pair and what went into it.
struct PairAlignment {
  AttentionRecord record;  // the forward model's cross-attention (no layers: an empty translation)
  Alignment forward;       // its links at the selection
  /// With a reverse model: its record (our target as its source) and the symmetrization,
  /// whose `mismatch` says the two models split the pair into different words (then the
  /// forward links are used).
  std::optional<AttentionRecord> reverse_record;
  std::optional<PairSymmetrization> symmetrized;

  /// The links to use: the symmetrized ones, else the forward ones.
  const Alignment& links() const { return symmetrized ? symmetrized->links : forward; }
  /// The symmetrization's detail for the attention files (null without one).
  const SymmetrizedJson* detail() const { return symmetrized ? &symmetrized->detail : nullptr; }
  /// The word matrix [target words, source words] the links are read from: the forward
  /// one; symmetrized by a soft method the combined one, by a hard method both directions'
  /// mean (soft-mean). Empty for a record without layers.
  LabeledMatrix matrix(const AttentionSelection& selection) const;
};

/// A model to align with and its vocabulary (a store::LoadedModel's or a Translator's).
struct AligningModel {
  model::Transformer model{nullptr};
  const text::Vocab* vocab = nullptr;
};

/// Names pair k in a warning ("line 12", "input.txt line 3").
using PairName = std::function<std::string(size_t k)>;

class Aligner {
 public:
  /// No `reverse`: the forward links only. The vocabularies must outlive the aligner.
  Aligner(AligningModel forward, std::optional<AligningModel> reverse, AlignerOptions options);

  /// Forced alignment: the forward model on (source, target), the reverse one on (target,
  /// source). UserError if the counts differ.
  std::vector<PairAlignment> align(const std::vector<std::string>& sources, const std::vector<std::string>& targets,
                                   const PairName& name);
  /// The alignment of translations: `records` come from the search
  /// (translation_attention); the reverse model force-aligns (hypothesis, source).
  std::vector<PairAlignment> align_translations(std::vector<AttentionRecord> records,
                                                const std::vector<std::string>& sources,
                                                const std::vector<std::string>& hypotheses, const PairName& name);
  /// The same for hypothesis k of one translation of `source`.
  PairAlignment align_translation(const search::Translation& translation, const std::string& source, size_t k,
                                  const std::string& name);

  /// Warns once for the mismatches that were counted but not shown one by one.
  void finish();
  int64_t mismatches() const { return mismatches_.count(); }
  bool has_reverse() const { return reverse_.has_value(); }
  const AlignerOptions& options() const { return options_; }

 private:
  // Pair k's links; `name` is asked for only when a warning names the pair.
  PairAlignment combine(AttentionRecord record, std::optional<AttentionRecord> reverse, const PairName& name,
                        size_t k);

  AligningModel forward_;
  std::optional<AligningModel> reverse_;
  AlignerOptions options_;
  WarningLimit mismatches_;
};

}  // namespace crosstalk::align
