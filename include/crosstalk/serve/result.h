#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "crosstalk/align/aligner.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::serve {

/// The Result object of /api/translate for one sentence (the search ran with
/// return_attention): `aligned` is its best translation's alignment at `selection` (the
/// model's saved reading or the default; symmetrized with serve --reverse-model):
/// every key of align::sentence_json plus "translation", "nbest" [{text, score}],
/// "selection_layer", "selection_head", "alignment_pairs", "symmetrize" (the method, or
/// null) and "truncated"; "attention" and "word_attention" only `with_attention`. With a
/// `prefix` (else ""): "prefix", "prefix_pieces" (the best translation's first pieces that
/// the prefix decided: the rows the user wrote) and per n-best entry "prefix_logprob" and
/// "completion_logprob" (the model's log-probability of the forced part and of the rest), and
/// "prefix_relaxed" (its last word has a character no piece spells: completed freely from there).
nlohmann::ordered_json translation_result(const std::string& source, const std::string& prefix,
                                          const search::Translation& translation,
                                          const align::PairAlignment& aligned,
                                          const align::AttentionSelection& selection, bool with_attention);

/// The Result object of /api/align: the forced alignment of source and target
/// ("translation" = target, "nbest" = []).
nlohmann::ordered_json alignment_result(const std::string& source, const std::string& target,
                                        const align::PairAlignment& aligned,
                                        const align::AttentionSelection& selection, bool with_attention);

}  // namespace crosstalk::serve
