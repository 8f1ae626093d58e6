#include <algorithm>
#include <cmath>
#include <limits>

#include "crosstalk/search/decode.h"
#include "step.h"

namespace crosstalk::search {

namespace {

constexpr float kNever = -std::numeric_limits<float>::infinity();

// One live beam row: its tokens so far and, if asked, its cross-attention per
// generated position ([layers, heads, src_len] each). Its log-probability is
// kept apart (beam_logp) to be added to the step's scores in one tensor op.
struct Beam {
  std::vector<int64_t> tokens;
  std::vector<torch::Tensor> attention;
  int64_t prefix_pieces = 0;  // leading tokens chosen under the prefix's constraint
  double prefix_log_prob = 0.0;
  bool prefix_relaxed = false;
};

Hypothesis finish(const Beam& beam, double log_prob, torch::Tensor last_attention, double alpha,
                  int64_t src_len) {
  Hypothesis h;
  h.tokens = beam.tokens;
  h.log_prob = log_prob;
  h.score = log_prob / length_penalty(static_cast<int64_t>(h.tokens.size()) + 1, alpha);
  h.prefix_pieces = beam.prefix_pieces;
  h.prefix_log_prob = beam.prefix_log_prob;
  h.prefix_relaxed = beam.prefix_relaxed;
  if (last_attention.defined()) {
    auto steps = beam.attention;
    steps.push_back(last_attention);
    h.attention = detail::assemble_attention(steps, src_len);  // [layers, heads, tokens + 1, src_len]
  }
  return h;
}

}  // namespace

double length_penalty(int64_t length, double alpha) {
  return alpha == 0.0 ? 1.0 : std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha);
}

std::vector<std::vector<Hypothesis>> beam_search(model::Transformer& model, const torch::Tensor& src,
                                                 const DecodeOptions& options, const SpecialIds& ids,
                                                 const PrefixConstraints& prefixes) {
  TORCH_CHECK(src.dim() == 2, "beam_search expects src [batch, src_len]");
  TORCH_CHECK(options.beam_size >= 1, "beam size must be at least 1");
  torch::NoGradGuard no_grad;
  const int64_t K = options.beam_size, batch = src.size(0);
  const auto device = src.device();
  const auto long_options = torch::TensorOptions().dtype(torch::kLong).device(device);
  const auto limits = detail::output_limits(model, src, options, ids.pad, prefixes);
  const auto& limit = limits.limit;
  const auto& src_len = limits.src_len;

  // K rows per sentence: row i * K + k. Only beam 0 is live at the start.
  auto encoded = model->encode(src).index_select(torch::arange(batch, long_options).repeat_interleave(K));
  auto cache = model->make_cache();
  std::vector<int64_t> active(batch);  // original sentence of each current block of K rows
  for (int64_t i = 0; i < batch; ++i) active[i] = i;
  std::vector<Beam> beams(batch * K);
  std::vector<float> beam_logp(batch * K, kNever);
  for (int64_t i = 0; i < batch; ++i) beam_logp[i * K] = 0.0f;
  std::vector<std::vector<Hypothesis>> finished(batch);
  auto tokens = torch::full({batch * K}, ids.bos, long_options);

  for (int64_t step = 0; step <= limits.longest && !active.empty(); ++step) {
    const auto rows = static_cast<int64_t>(beam_logp.size());
    auto out = model->decode_step(tokens, encoded, &cache, options.return_attention);
    auto logp = detail::next_log_probs(out, ids, step);  // [rows, vocab]
    const int64_t V = logp.size(1);
    std::vector<int64_t> sentence_of_row;
    std::vector<const std::vector<int64_t>*> tokens_of_row;
    if (prefixes.active()) {
      for (int64_t r = 0; r < rows; ++r) {
        sentence_of_row.push_back(active[r / K]);
        tokens_of_row.push_back(&beams[r].tokens);
      }
    }
    const auto constraint = detail::constrain(logp, prefixes, sentence_of_row, tokens_of_row);
    // Rows at their sentence's length limit may only end.
    std::vector<int64_t> at_limit;
    for (int64_t r = 0; r < rows; ++r)
      if (static_cast<int64_t>(beams[r].tokens.size()) >= limit[active[r / K]]) at_limit.push_back(r);
    if (!at_limit.empty()) {
      auto index = torch::tensor(at_limit, torch::kLong).to(device);
      auto eos_logp = logp.index_select(0, index).select(1, ids.eos).clone();
      logp.index_fill_(0, index, kNever);
      logp.select(1, ids.eos).index_copy_(0, index, eos_logp);
    }
    auto total = logp + torch::tensor(beam_logp).to(device).unsqueeze(1);  // [rows, vocab]
    auto best = total.view({rows / K, K * V}).topk(std::min<int64_t>(2 * K, K * V), 1);
    auto top_score = std::get<0>(best).to(torch::kCPU);
    auto top_index = std::get<1>(best).to(torch::kCPU);
    // [rows, layers, heads, src_len] on the CPU
    const auto step_attention = options.return_attention ? detail::step_attention(out) : torch::Tensor();
    auto sc = top_score.accessor<float, 2>();
    auto ix = top_index.accessor<int64_t, 2>();

    std::vector<int64_t> keep_sentences, select_rows, next_tokens;
    std::vector<Beam> next_beams;
    std::vector<float> next_logp;
    for (size_t s = 0; s < active.size(); ++s) {
      const int64_t sentence = active[s];
      std::vector<std::pair<int64_t, int64_t>> chosen;  // (row, token)
      std::vector<float> chosen_logp;
      for (int64_t c = 0; c < top_score.size(1); ++c) {
        const float score = sc[s][c];
        if (score == kNever) break;
        const int64_t row = static_cast<int64_t>(s) * K + ix[s][c] / V, token = ix[s][c] % V;
        if (token == ids.eos) {
          // An ending counts only among the K best candidates (as in fairseq).
          if (c < K && static_cast<int64_t>(finished[sentence].size()) < K)
            finished[sentence].push_back(finish(beams[row], score,
                                                step_attention.defined() ? step_attention[row] : torch::Tensor(),
                                                options.length_penalty, src_len[sentence].item<int64_t>()));
        } else if (static_cast<int64_t>(chosen.size()) < K) {
          chosen.emplace_back(row, token);
          chosen_logp.push_back(score);
        }
        if (static_cast<int64_t>(chosen.size()) == K && static_cast<int64_t>(finished[sentence].size()) >= K) break;
      }
      if (static_cast<int64_t>(finished[sentence].size()) >= K || chosen.empty()) continue;  // done
      keep_sentences.push_back(sentence);
      for (int64_t k = 0; k < K; ++k) {
        const bool real = k < static_cast<int64_t>(chosen.size());
        const auto [row, token] = real ? chosen[k] : chosen[0];
        Beam next = beams[row];
        next.tokens.push_back(token);
        if (real && !constraint.empty() && constraint[row] == detail::RowConstraint::kConstrained) {
          next.prefix_pieces++;
          next.prefix_log_prob += chosen_logp[k] - beam_logp[row];
        }
        if (!constraint.empty() && constraint[row] == detail::RowConstraint::kRelaxed) next.prefix_relaxed = true;
        if (step_attention.defined()) next.attention.push_back(step_attention[row]);
        select_rows.push_back(row);
        next_tokens.push_back(token);
        next_logp.push_back(real ? chosen_logp[k] : kNever);
        next_beams.push_back(std::move(next));
      }
    }
    if (keep_sentences.empty()) {
      active.clear();
      break;
    }
    auto index = torch::tensor(select_rows, torch::kLong).to(device);
    if (keep_sentences.size() == active.size()) {
      cache.reorder_self(index);  // rows only moved between beams of a sentence
    } else {
      cache.reorder(index);
      encoded = encoded.index_select(index);
    }
    active.swap(keep_sentences);
    beams.swap(next_beams);
    beam_logp.swap(next_logp);
    tokens = torch::tensor(next_tokens, torch::kLong).to(device);
  }

  std::vector<std::vector<Hypothesis>> results(batch);
  for (int64_t i = 0; i < batch; ++i) {
    auto& done = finished[i];
    std::stable_sort(done.begin(), done.end(),
                     [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
    if (static_cast<int64_t>(done.size()) > options.nbest) done.resize(std::max<int64_t>(options.nbest, 1));
    results[i] = std::move(done);
  }
  return results;
}

}  // namespace crosstalk::search
