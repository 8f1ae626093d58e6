#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/prefix.h"

namespace crosstalk::search {

struct DecodeOptions {
  int64_t beam_size = 1;        // 1: greedy search (translate defaults to 4: best on validation)
  /// Beam search ranks finished hypotheses by log_prob / lp with the GNMT length
  /// penalty lp = ((5 + length) / 6) ^ length_penalty, length = tokens + EOS
  /// (0: raw log-probability; larger values favour longer outputs).
  double length_penalty = 1.0;
  int64_t nbest = 1;            // hypotheses returned per sentence (<= beam_size)
  /// Longest output, in subword pieces without EOS: max_len_a * source pieces + max_len_b.
  double max_len_a = 1.2;
  int64_t max_len_b = 10;
  int64_t batch_size = 64;      // sentences decoded together (sorted by length)
  bool return_attention = false;
};

/// Special ids the search needs.
struct SpecialIds {
  int64_t pad = 0, bos = 2, eos = 3;
};

/// One output of the search for one source sentence.
struct Hypothesis {
  std::vector<int64_t> tokens;  // generated ids, without BOS/EOS
  double score = 0.0;           // ranking score: log_prob (greedy) or log_prob / lp (beam)
  double log_prob = 0.0;        // sum of log-probabilities of tokens + EOS
  /// Prefix-constrained decoding: the first prefix_pieces tokens were chosen under the
  /// prefix's constraint (forced, or spelling its last word); their log-probability, which
  /// log_prob includes, is prefix_log_prob (the model's own, not renormalized).
  int64_t prefix_pieces = 0;
  double prefix_log_prob = 0.0;
  /// The prefix's last word holds a character no piece of the vocabulary spells: from
  /// there on the model completed freely (the caller warns and counts).
  bool prefix_relaxed = false;
  /// Cross-attention of every generated position (tokens + EOS) over the real
  /// source positions: [layers, heads, tokens + 1, src_len]; only if requested.
  torch::Tensor attention;
};

/// Target prefixes for prefix-constrained decoding, one per source row (search/prefix.h).
struct PrefixConstraints {
  const std::vector<TargetPrefix>* prefixes = nullptr;  // null: unconstrained
  const PieceSpeller* speller = nullptr;
  bool active() const { return prefixes != nullptr && speller != nullptr; }
};

/// Longest output for a source of `src_pieces` pieces (EOS excluded).
int64_t max_output_length(const DecodeOptions& options, int64_t src_pieces);

/// GNMT length penalty ((5 + length) / 6) ^ alpha.
double length_penalty(int64_t length, double alpha);

/// Batched beam search with the incremental decoder cache: beam_size rows per
/// sentence, reordered by their back-pointers every step (cross-attention K/V
/// only when sentences finish), finished sentences leave the batch. A sentence
/// is finished once beam_size hypotheses have ended; at the length limit the
/// live ones end there. Returns, per source row, up to nbest hypotheses sorted
/// best first. beam_size 1 gives exactly greedy_search's outputs.
/// With `prefixes`, each sentence's output starts with its prefix (the length limit
/// grows to hold it), and n-best lists hold different completions.
std::vector<std::vector<Hypothesis>> beam_search(model::Transformer& model, const torch::Tensor& src,
                                                 const DecodeOptions& options, const SpecialIds& ids,
                                                 const PrefixConstraints& prefixes = {});

/// Batched greedy search with the incremental decoder cache. Sentences that
/// emit EOS leave the batch (their cache rows are dropped).
/// src: [batch, src_len] (pieces + EOS, right-padded) -> one hypothesis per row.
std::vector<Hypothesis> greedy_search(model::Transformer& model, const torch::Tensor& src,
                                      const DecodeOptions& options, const SpecialIds& ids,
                                      const PrefixConstraints& prefixes = {});

}  // namespace crosstalk::search
