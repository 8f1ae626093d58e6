#include "crosstalk/align/sweep.h"

#include <stdexcept>

#include "crosstalk/align/pair_symmetrize.h"

namespace crosstalk::align {

std::string SweepEntry::describe(int64_t layers, int64_t heads) const {
  return align::describe(selection, layers, heads) + (method ? " + " + method_name(*method) : "");
}

std::vector<AttentionSelection> sweep_selections(int64_t layers, int64_t heads, int64_t chosen_layer) {
  std::vector<AttentionSelection> out;
  for (int64_t l = 1; l <= layers; ++l) out.push_back({l, 0});
  out.push_back({0, 0});
  for (int64_t h = 1; h <= heads; ++h) out.push_back({chosen_layer, h});
  return out;
}

std::vector<SweepEntry> sweep_alignments(const std::vector<AttentionRecord>& fwd,
                                         const std::vector<AttentionRecord>* rev,
                                         const std::vector<GoldAlignment>& gold,
                                         const std::vector<AttentionSelection>& selections, double threshold) {
  if (rev && rev->size() != fwd.size())
    throw std::invalid_argument("sweep_alignments: " + std::to_string(fwd.size()) + " forward records but " +
                                std::to_string(rev->size()) + " reverse ones");
  std::vector<SweepEntry> out;
  auto add = [&](const AttentionSelection& selection, std::optional<SymmetrizeMethod> method,
                 const std::vector<Alignment>& hyps) {
    out.push_back({selection, method, eval::score_alignments(gold, hyps), eval::bootstrap_aer(gold, hyps)});
  };
  for (const auto& selection : selections) {
    std::vector<Alignment> forward;
    for (const auto& record : fwd) forward.push_back(record.alignment(selection, {threshold}));
    add(selection, std::nullopt, forward);
    if (!rev) continue;
    for (const auto& name : symmetrize_method_names()) {
      const auto method = parse_symmetrize_method(name, "method");
      std::vector<Alignment> links;
      for (size_t k = 0; k < fwd.size(); ++k)
        links.push_back(symmetrize_pair(fwd[k], (*rev)[k], selection, threshold, method, forward[k]).links);
      add(selection, method, links);
    }
  }
  return out;
}

const SweepEntry& lowest_aer(const std::vector<SweepEntry>& entries) {
  if (entries.empty()) throw std::invalid_argument("lowest_aer: no entries");
  size_t best = 0;
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].score.aer < entries[best].score.aer) best = i;
  return entries[best];
}

}  // namespace crosstalk::align
