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
