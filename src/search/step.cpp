#include "step.h"

#include <algorithm>
#include <limits>

namespace crosstalk::search::detail {

OutputLimits output_limits(model::Transformer& model, const torch::Tensor& src, const DecodeOptions& options,
                           int64_t pad, const PrefixConstraints& prefixes) {
  OutputLimits out;
  out.src_len = src.ne(pad).sum(1).to(torch::kCPU);  // pieces + EOS per row
  const int64_t position_cap = model->options().max_positions() - 1;
  out.limit.resize(src.size(0));
  for (int64_t i = 0; i < src.size(0); ++i) {
    int64_t limit = max_output_length(options, out.src_len[i].item<int64_t>() - 1);
    if (prefixes.active()) {
      const auto& p = (*prefixes.prefixes)[static_cast<size_t>(i)];
      limit = std::max(limit, static_cast<int64_t>(p.forced.size() + p.spell.size()) + options.max_len_b);
    }
    out.limit[i] = std::min(limit, position_cap - 1);
    out.longest = std::max(out.longest, out.limit[i]);
  }
  return out;
}

torch::Tensor next_log_probs(const model::StepOutput& out, const SpecialIds& ids, int64_t step) {
  auto logp = torch::log_softmax(out.logits.to(torch::kFloat), -1);  // [rows, vocab]
  const float never = -std::numeric_limits<float>::infinity();
  logp.select(1, ids.pad).fill_(never);
  logp.select(1, ids.bos).fill_(never);
  if (step == 0) logp.select(1, ids.eos).fill_(never);
  return logp;
}

std::vector<RowConstraint> constrain(torch::Tensor& logp, const PrefixConstraints& prefixes,
                                     const std::vector<int64_t>& sentence_of_row,
                                     const std::vector<const std::vector<int64_t>*>& tokens_of_row) {
  std::vector<RowConstraint> state(sentence_of_row.size(), RowConstraint::kFree);
  if (!prefixes.active()) return state;
  const float never = -std::numeric_limits<float>::infinity();
  for (size_t r = 0; r < sentence_of_row.size(); ++r) {
    const auto& prefix = (*prefixes.prefixes)[static_cast<size_t>(sentence_of_row[r])];
    if (prefix.empty()) continue;
    const auto next = prefixes.speller->next(prefix, *tokens_of_row[r]);
    if (next.unspellable) state[r] = RowConstraint::kRelaxed;
    if (next.rule == PieceSpeller::Rule::kFree) continue;
    auto row = logp[static_cast<int64_t>(r)];
    const auto allowed = next.rule == PieceSpeller::Rule::kForced
                             ? torch::tensor(std::vector<int64_t>{next.forced_id}, torch::kLong)
                             : torch::tensor(next.allowed, torch::kLong);
    const auto index = allowed.to(logp.device());
    const auto keep = row.index_select(0, index);
    row.fill_(never);
    row.index_copy_(0, index, keep);
    state[r] = RowConstraint::kConstrained;
  }
  return state;
}

int64_t common_forced(const PrefixConstraints& prefixes, const OutputLimits& limits) {
  if (!prefixes.active() || limits.limit.empty()) return 0;
  int64_t count = std::numeric_limits<int64_t>::max();
  for (size_t i = 0; i < limits.limit.size(); ++i)
    count = std::min({count, static_cast<int64_t>((*prefixes.prefixes)[i].forced.size()), limits.limit[i]});
  return count;
}

model::StepOutput feed_forced_start(model::Transformer& model, const PrefixConstraints& prefixes, int64_t count,
                                    const model::EncoderOutput& encoded, model::DecoderCache* cache,
                                    const SpecialIds& ids, std::vector<Hypothesis>& hyps,
                                    std::vector<std::vector<torch::Tensor>>& attention) {
  const auto batch = static_cast<int64_t>(hyps.size());
  TORCH_CHECK(count >= 1 && cache->steps == 0, "feed_forced_start: at least one piece, into an empty cache");
  std::vector<int64_t> flat;
  for (int64_t i = 0; i < batch; ++i) {
    const auto& forced = (*prefixes.prefixes)[static_cast<size_t>(i)].forced;
    TORCH_CHECK(static_cast<int64_t>(forced.size()) >= count, "feed_forced_start: row ", i, " forces fewer pieces");
    flat.push_back(ids.bos);
    flat.insert(flat.end(), forced.begin(), forced.begin() + count);
  }
  const auto tokens = torch::tensor(flat, torch::kLong).view({batch, count + 1}).to(encoded.memory.device());
  const bool want_attention = !attention.empty();
  auto out = model->decode_step(tokens, encoded, cache, want_attention, /*every_position=*/true);
  // Position j predicts forced piece j: the model's log-probability of it, as next_log_probs
  // gives it (a forced piece is never padding, BOS or EOS, so the masks do not matter).
  const auto logp = torch::log_softmax(out.all_logits.narrow(1, 0, count).to(torch::kFloat), -1);
  const auto picked = logp.gather(2, tokens.narrow(1, 1, count).unsqueeze(2)).squeeze(2).to(torch::kCPU);
  const auto lp = picked.accessor<float, 2>();
  torch::Tensor rows;  // [batch, layers, heads, count + 1, src_len]
  if (want_attention) rows = torch::stack(out.cross_attention, 1).to(torch::kCPU);
  for (int64_t i = 0; i < batch; ++i) {
    auto& h = hyps[static_cast<size_t>(i)];
    for (int64_t j = 0; j < count; ++j) {
      h.tokens.push_back(flat[static_cast<size_t>(i * (count + 1) + 1 + j)]);
      h.log_prob += lp[i][j];
      h.prefix_log_prob += lp[i][j];
      h.prefix_pieces++;
      if (want_attention) attention[static_cast<size_t>(i)].push_back(rows[i].select(2, j));
    }
    h.score = h.log_prob;
  }
  model::StepOutput last;  // what decode_step would have returned for the last forced piece
  last.logits = out.logits;
  for (const auto& a : out.cross_attention) last.cross_attention.push_back(a.narrow(2, count, 1));
  return last;
}

torch::Tensor step_attention(const model::StepOutput& out) {
  std::vector<torch::Tensor> layers;
  for (const auto& a : out.cross_attention) layers.push_back(a.squeeze(2));  // [rows, heads, src_len]
  return torch::stack(layers, 1).to(torch::kCPU);
}

torch::Tensor assemble_attention(const std::vector<torch::Tensor>& steps, int64_t src_len) {
  // [steps, layers, heads, src] -> [layers, heads, steps, real src_len]
  return torch::stack(steps, 0).permute({1, 2, 0, 3}).narrow(3, 0, src_len).contiguous();
}

}  // namespace crosstalk::search::detail
