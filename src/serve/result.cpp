#include "crosstalk/serve/result.h"

#include "crosstalk/align/sentence_json.h"

namespace crosstalk::serve {

namespace {

using nlohmann::ordered_json;

// source, translation, target, nbest first; then the attention JSON's keys; then the rest.
ordered_json result_object(const std::string& source, const std::string& target, ordered_json nbest,
                           const align::PairAlignment& aligned, const align::AttentionSelection& selection,
                           bool truncated, bool with_attention) {
  const auto& record = aligned.record;
  const auto& alignment = aligned.links();
  ordered_json out;
  out["source"] = source;
  out["translation"] = target;
  out["target"] = target;
  out["nbest"] = std::move(nbest);
  auto sentence = align::sentence_json({source, target, record, selection, alignment, with_attention});
  auto attention = sentence.contains("attention") ? std::move(sentence["attention"]) : ordered_json();
  auto word_attention = sentence.contains("word_attention") ? std::move(sentence["word_attention"]) : ordered_json();
  for (auto& item : sentence.items())
    if (!out.contains(item.key()) && item.key() != "attention" && item.key() != "word_attention")
      out[item.key()] = std::move(item.value());
  out["selection_layer"] = align::resolved_layer(selection, record.layers());
  out["selection_head"] = selection.head;
  auto pairs = ordered_json::array();
  for (const auto& link : alignment) pairs.push_back({link.src, link.tgt});
  out["alignment_pairs"] = std::move(pairs);
  // serve --reverse-model: the method that symmetrized the links, or why it could not
  out["symmetrize"] = aligned.symmetrized ? ordered_json(aligned.symmetrized->detail.method) : ordered_json(nullptr);
  out["truncated"] = truncated;
  if (with_attention) {
    out["attention"] = std::move(attention);
    out["word_attention"] = std::move(word_attention);
  }
  return out;
}

}  // namespace

nlohmann::ordered_json translation_result(const std::string& source, const std::string& prefix,
                                          const search::Translation& translation,
                                          const align::PairAlignment& aligned,
                                          const align::AttentionSelection& selection, bool with_attention) {
  auto nbest = ordered_json::array();
  for (size_t k = 0; k < translation.nbest.size(); ++k) {
    const auto& h = translation.nbest[k];
    const auto& text = k < translation.nbest_text.size() ? translation.nbest_text[k] : translation.text;
    ordered_json entry = {{"text", text}, {"score", align::round_6(h.score)}};
    if (!prefix.empty()) {
      entry["prefix_logprob"] = align::round_6(h.prefix_log_prob);
      entry["completion_logprob"] = align::round_6(h.log_prob - h.prefix_log_prob);
    }
    nbest.push_back(std::move(entry));
  }
  auto out = result_object(source, translation.text, std::move(nbest), aligned, selection, translation.truncated,
                           with_attention);
  if (!prefix.empty()) {
    out["prefix"] = prefix;
    out["prefix_pieces"] = translation.nbest.empty() ? 0 : translation.best.prefix_pieces;
    // Of those, the pieces of the prefix's complete words: what the user wrote whole.
    out["prefix_word_pieces"] = translation.nbest.empty() ? 0 : translation.prefix_word_pieces;
    // Its last word has a character no piece spells: completed freely from there.
    out["prefix_relaxed"] = !translation.nbest.empty() && translation.best.prefix_relaxed;
  }
  return out;
}

nlohmann::ordered_json alignment_result(const std::string& source, const std::string& target,
                                        const align::PairAlignment& aligned,
                                        const align::AttentionSelection& selection, bool with_attention) {
  return result_object(source, target, ordered_json::array(), aligned, selection,
                       aligned.record.src_truncated || aligned.record.tgt_truncated, with_attention);
}

}  // namespace crosstalk::serve
