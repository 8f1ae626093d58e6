#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/align/symmetrize.h"
#include "crosstalk/eval/aer.h"

namespace crosstalk::align {

/// One way of reading alignments off the attention, scored on a gold standard.
struct SweepEntry {
  AttentionSelection selection;
  std::optional<SymmetrizeMethod> method;  // none: the forward model alone
  eval::AlignmentScore score;
  eval::AerInterval interval;                    // bootstrap 95% interval of score.aer

  /// "layer 2 of 3, heads averaged" or "... + soft-product"
  std::string describe(int64_t layers, int64_t heads) const;
};

/// The selections a sweep tries on a decoder of `layers` x `heads`: each layer and all
/// layers averaged (heads averaged), then each head of `chosen_layer` (1-based; 0: of
/// the layers' average).
std::vector<AttentionSelection> sweep_selections(int64_t layers, int64_t heads, int64_t chosen_layer);

/// Scores every selection on `fwd` (the forward model's records of the gold pairs),
/// and with `rev` (a reverse model's records of the same pairs, its source being our
/// target) every symmetrization method for each selection too. Argmax links, or
/// `threshold` > 0. Entries in the order: selection by selection, the forward model
/// alone first, then the methods in symmetrize_method_names() order.
std::vector<SweepEntry> sweep_alignments(const std::vector<AttentionRecord>& fwd,
                                         const std::vector<AttentionRecord>* rev,
                                         const std::vector<GoldAlignment>& gold,
                                         const std::vector<AttentionSelection>& selections, double threshold);

/// The entry with the lowest AER (the first one of equal AERs). Precondition: not empty.
const SweepEntry& lowest_aer(const std::vector<SweepEntry>& entries);

}  // namespace crosstalk::align
