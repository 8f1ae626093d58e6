// Pieces of one decoding step shared by greedy and beam search (private to src/search).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "crosstalk/model/transformer.h"
#include "crosstalk/search/decode.h"

namespace crosstalk::search::detail {

/// Per source row: its length (pieces + EOS, on the CPU) and its output length
/// limit (max_output_length, capped by the position table); longest = max limit.
struct OutputLimits {
  torch::Tensor src_len;       // [batch] int64
  std::vector<int64_t> limit;  // [batch]
  int64_t longest = 0;
};
/// With prefixes, a sentence's limit also holds its prefix (forced pieces, the spelled
/// characters) and max_len_b pieces after it.
OutputLimits output_limits(model::Transformer& model, const torch::Tensor& src, const DecodeOptions& options,
                           int64_t pad, const PrefixConstraints& prefixes = {});

/// Log-probabilities of the next token [rows, vocab]: never padding or BOS, and
/// no EOS at step 0 (no empty output).
torch::Tensor next_log_probs(const model::StepOutput& out, const SpecialIds& ids, int64_t step);

/// Prefix constraints of one step: for each row (sentence, tokens so far) the pieces it
/// may take next; the others get -inf in logp [rows, vocab], in place. The allowed entries
/// keep the model's log-probabilities. Returns each row's state: kRelaxed where the spelling
/// has a character no piece continues (the constraint is lifted there).
enum class RowConstraint : uint8_t { kFree, kConstrained, kRelaxed };
std::vector<RowConstraint> constrain(torch::Tensor& logp, const PrefixConstraints& prefixes,
                                     const std::vector<int64_t>& sentence_of_row,
                                     const std::vector<const std::vector<int64_t>*>& tokens_of_row);

/// How many pieces every row's prefix forces from the start (capped by each row's output
/// limit): 0 without prefixes, or where one row has none.
int64_t common_forced(const PrefixConstraints& prefixes, const OutputLimits& limits);

/// The start of a prefix-constrained search in one decoder pass instead of one step a
/// piece: feeds BOS and each row's first `count` forced pieces [batch, count + 1] into the
/// empty `cache`, and books the pieces in `hyps` as forced steps would (tokens; the model's
/// log-probability of each in log_prob, score and prefix_log_prob; prefix_pieces; and, if
/// `attention` is not empty, each position's cross-attention row [layers, heads, src_len]).
/// Returns the output of the last position: the step that chooses the next piece.
model::StepOutput feed_forced_start(model::Transformer& model, const PrefixConstraints& prefixes, int64_t count,
                                    const model::EncoderOutput& encoded, model::DecoderCache* cache,
                                    const SpecialIds& ids, std::vector<Hypothesis>& hyps,
                                    std::vector<std::vector<torch::Tensor>>& attention);

/// The step's cross-attention of every row: [rows, layers, heads, src_len] on the CPU.
torch::Tensor step_attention(const model::StepOutput& out);

/// One hypothesis' per-step rows ([layers, heads, src_len] each) ->
/// [layers, heads, steps, src_len] over the real source positions.
torch::Tensor assemble_attention(const std::vector<torch::Tensor>& steps, int64_t src_len);

}  // namespace crosstalk::search::detail
