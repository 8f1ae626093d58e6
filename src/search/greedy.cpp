#include <algorithm>
#include <cmath>
#include <limits>

#include "crosstalk/search/decode.h"
#include "step.h"

namespace crosstalk::search {

int64_t max_output_length(const DecodeOptions& options, int64_t src_pieces) {
  const auto n = static_cast<int64_t>(std::floor(options.max_len_a * static_cast<double>(src_pieces))) +
                 options.max_len_b;
  return std::max<int64_t>(n, 1);
}

std::vector<Hypothesis> greedy_search(model::Transformer& model, const torch::Tensor& src,
                                      const DecodeOptions& options, const SpecialIds& ids,
                                      const PrefixConstraints& prefixes) {
  TORCH_CHECK(src.dim() == 2, "greedy_search expects src [batch, src_len]");
  torch::NoGradGuard no_grad;
  const int64_t batch = src.size(0);
  const auto device = src.device();
  auto encoded = model->encode(src);
  const auto limits = detail::output_limits(model, src, options, ids.pad, prefixes);
  const auto& limit = limits.limit;

  std::vector<Hypothesis> hyps(batch);
  std::vector<std::vector<torch::Tensor>> attention(options.return_attention ? batch : 0);
  std::vector<int64_t> active(batch);  // original row of each current row
  for (int64_t i = 0; i < batch; ++i) active[i] = i;
  auto cache = model->make_cache();
  auto tokens = torch::full({batch}, ids.bos, torch::TensorOptions().dtype(torch::kLong).device(device));

  // The pieces every prefix forces from the start: one decoder pass, not one step each.
  int64_t step = detail::common_forced(prefixes, limits);
  model::StepOutput out;
  if (step > 0) out = detail::feed_forced_start(model, prefixes, step, encoded, &cache, ids, hyps, attention);
  for (; step <= limits.longest && !active.empty(); ++step) {
    if (!out.logits.defined()) out = model->decode_step(tokens, encoded, &cache, options.return_attention);
    auto logp = detail::next_log_probs(out, ids, step);  // [rows, vocab]
    std::vector<const std::vector<int64_t>*> tokens_of_row;
    if (prefixes.active())
      for (int64_t row : active) tokens_of_row.push_back(&hyps[row].tokens);
    const auto constraint = detail::constrain(logp, prefixes, active, tokens_of_row);
    auto best = logp.max(-1);
    auto best_logp = std::get<0>(best).to(torch::kCPU);
    auto best_id = std::get<1>(best).to(torch::kCPU);
    auto lp = best_logp.accessor<float, 1>();
    auto id = best_id.accessor<int64_t, 1>();
    // [rows, layers, heads, src_len]
    const auto step_attention = options.return_attention ? detail::step_attention(out) : torch::Tensor();
    std::vector<int64_t> keep;
    std::vector<int64_t> next;
    for (size_t r = 0; r < active.size(); ++r) {
      const int64_t row = active[r];
      auto& hyp = hyps[row];
      int64_t token = id[r];
      double token_logp = lp[r];
      if (token != ids.eos && static_cast<int64_t>(hyp.tokens.size()) >= limit[row]) {
        token = ids.eos;  // length limit reached: end here
        token_logp = logp[r][ids.eos].item<float>();
      }
      hyp.log_prob += token_logp;
      hyp.score = hyp.log_prob;
      if (constraint[r] == detail::RowConstraint::kConstrained) {
        hyp.prefix_pieces++;
        hyp.prefix_log_prob += token_logp;
      }
      if (constraint[r] == detail::RowConstraint::kRelaxed) hyp.prefix_relaxed = true;
      if (options.return_attention) attention[row].push_back(step_attention[r]);
      if (token == ids.eos) continue;
      hyp.tokens.push_back(token);
      keep.push_back(static_cast<int64_t>(r));
      next.push_back(token);
    }
    if (keep.size() != active.size()) {
      std::vector<int64_t> still;
      for (int64_t r : keep) still.push_back(active[r]);
      active.swap(still);
      if (active.empty()) break;
      auto index = torch::tensor(keep, torch::kLong).to(device);
      cache.reorder(index);
      encoded = encoded.index_select(index);
    }
    tokens = torch::tensor(next, torch::kLong).to(device);
    out = {};
  }
  if (options.return_attention) {
    for (int64_t i = 0; i < batch; ++i) {
      // [layers, heads, tokens + 1, src_len]
      hyps[i].attention = detail::assemble_attention(attention[i], limits.src_len[i].item<int64_t>());
    }
  }
  return hyps;
}

}  // namespace crosstalk::search
