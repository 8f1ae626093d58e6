#include "crosstalk/align/aligner.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "crosstalk/align/attention_capture.h"
#include "crosstalk/align/symmetrize.h"

namespace crosstalk::align {

LabeledMatrix PairAlignment::matrix(const AttentionSelection& selection) const {
  if (record.layers() == 0) return {};
  if (!symmetrized || symmetrized->mismatch) return record.word_matrix(selection);
  const auto& d = symmetrized->detail;
  if (!d.combined.weights.empty()) return d.combined;  // a soft method
  return combine_soft(record.word_matrix(selection), d.reverse_words, SymmetrizeMethod::soft_mean);
}

Aligner::Aligner(AligningModel forward, std::optional<AligningModel> reverse, AlignerOptions options)
    : forward_(std::move(forward)), reverse_(std::move(reverse)), options_(std::move(options)) {
  TORCH_CHECK(forward_.model && forward_.vocab, "Aligner: no forward model");
  TORCH_CHECK(!reverse_ || (reverse_->model && reverse_->vocab), "Aligner: an empty reverse model");
}

PairAlignment Aligner::combine(AttentionRecord record, std::optional<AttentionRecord> reverse, const PairName& name,
                               size_t k) {
  PairAlignment out;
  out.record = std::move(record);
  if (out.record.layers() == 0) return out;  // an empty translation: no links
  out.forward = out.record.alignment(options_.selection, {options_.threshold});
  if (!reverse) return out;
  out.symmetrized =
      symmetrize_pair(out.record, *reverse, options_.selection, options_.threshold, options_.method, out.forward);
  if (out.symmetrized->mismatch && mismatches_.next())
    spdlog::warn("{}: the forward model reads {} source and {} target words, the reverse model {} and {}: "
                 "not symmetrized, the forward links are used", name(k), out.record.src.real_words,
                 out.record.tgt.real_words, reverse->tgt.real_words, reverse->src.real_words);
  out.reverse_record = std::move(reverse);
  return out;
}

std::vector<PairAlignment> Aligner::align(const std::vector<std::string>& sources,
                                          const std::vector<std::string>& targets, const PairName& name) {
  auto records = forced_attention(forward_.model, *forward_.vocab, sources, targets, options_.batch_size);
  return align_translations(std::move(records), sources, targets, name);
}

std::vector<PairAlignment> Aligner::align_translations(std::vector<AttentionRecord> records,
                                                       const std::vector<std::string>& sources,
                                                       const std::vector<std::string>& hypotheses,
                                                       const PairName& name) {
  TORCH_CHECK(records.size() == sources.size() && sources.size() == hypotheses.size(),
              "align_translations: ", records.size(), " records, ", sources.size(), " sources, ", hypotheses.size(),
              " hypotheses");
  // The reverse model reads every pair that has a forward record (an empty translation has none).
  std::vector<size_t> todo;
  std::vector<std::string> rev_sources, rev_targets;
  for (size_t k = 0; reverse_ && k < records.size(); ++k) {
    if (records[k].layers() == 0) continue;
    todo.push_back(k);
    rev_sources.push_back(hypotheses[k]);
    rev_targets.push_back(sources[k]);
  }
  std::vector<std::optional<AttentionRecord>> reversed(records.size());
  if (!todo.empty()) {
    auto done = forced_attention(reverse_->model, *reverse_->vocab, rev_sources, rev_targets, options_.batch_size);
    for (size_t i = 0; i < todo.size(); ++i) reversed[todo[i]] = std::move(done[i]);
  }
  std::vector<PairAlignment> out;
  out.reserve(records.size());
  for (size_t k = 0; k < records.size(); ++k) out.push_back(combine(std::move(records[k]), std::move(reversed[k]), name, k));
  return out;
}

PairAlignment Aligner::align_translation(const search::Translation& translation, const std::string& source, size_t k,
                                         const std::string& name) {
  auto record = translation_attention(translation, *forward_.vocab, source, k);
  const auto& hypothesis = k < translation.nbest_text.size() ? translation.nbest_text[k] : translation.text;
  return std::move(align_translations({std::move(record)}, {source}, {hypothesis}, [&](size_t) { return name; })[0]);
}

void Aligner::finish() {
  if (mismatches_.hidden() > 0)
    spdlog::warn("{} sentence pairs were not symmetrized: the two models split them into different words ({} more "
                 "than shown above)", mismatches_.count(), mismatches_.hidden());
}

}  // namespace crosstalk::align
