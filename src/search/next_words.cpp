#include "crosstalk/search/next_words.h"

#include <algorithm>
#include <limits>
#include <map>

#include "step.h"

namespace crosstalk::search {

namespace {

constexpr float kNever = -std::numeric_limits<float>::infinity();

struct Candidate {
  std::vector<int64_t> pieces;
  double log_prob = 0.0;
};

// Log-probabilities of the next piece for each row fed `tokens` [rows] or [rows, len], as the
// searches take them (detail::next_log_probs: never padding or BOS, no EOS first), on the CPU.
torch::Tensor step_log_probs(model::Transformer& model, const torch::Tensor& tokens,
                             const model::EncoderOutput& encoded, model::DecoderCache* cache) {
  // The predicted piece's index in the output (greedy_search's `step`): the pieces fed before it, BOS excluded.
  const int64_t step = cache->steps + (tokens.dim() == 2 ? tokens.size(1) : 1) - 1;
  const SpecialIds ids{text::kPadId, text::kBosId, text::kEosId};
  return detail::next_log_probs(model->decode_step(tokens, encoded, cache), ids, step).to(torch::kCPU).contiguous();
}

// The best of `ids` in one row of log-probabilities, or -1 if none is possible.
int64_t best_of(const float* lp, const std::vector<int64_t>& ids) {
  int64_t best = -1;
  for (auto id : ids)
    if (lp[id] > kNever && (best < 0 || lp[id] > lp[best])) best = id;
  return best;
}

// The next piece of a word being completed after `tokens`: under the prefix's spelling the
// most likely piece it allows; else the most likely piece, or -1 where that one begins
// another word, ends the sentence, or spells nothing.
int64_t next_piece(const float* lp, int64_t vocab, const TargetPrefix& prefix, const std::vector<int64_t>& tokens,
                   const PieceSpeller& speller) {
  const auto rule = speller.next(prefix, tokens);
  if (rule.rule == PieceSpeller::Rule::kSpell) return best_of(lp, rule.allowed);
  const int64_t best = std::max_element(lp, lp + vocab) - lp;
  if (best == text::kEosId || speller.starts_word(best) || speller.text(best).empty()) return -1;
  return best;
}

// The candidates for the word's first piece: the `m` most likely of those that begin a word
// or continue the prefix's unfinished last word.
std::vector<Candidate> first_pieces(const float* lp, int64_t vocab, const TargetPrefix& prefix,
                                    const PieceSpeller& speller, int64_t m) {
  const auto rule = speller.next(prefix, prefix.forced);
  std::vector<int64_t> allowed = rule.allowed;
  if (rule.rule != PieceSpeller::Rule::kSpell)
    for (int64_t id = 0; id < vocab; ++id)
      if (speller.starts_word(id)) allowed.push_back(id);
  std::sort(allowed.begin(), allowed.end(), [&](int64_t a, int64_t b) { return lp[a] > lp[b]; });
  std::vector<Candidate> out;
  for (auto id : allowed) {
    if (static_cast<int64_t>(out.size()) >= m || !(lp[id] > kNever)) break;
    out.push_back({{id}, lp[id]});
  }
  return out;
}

}  // namespace

std::vector<NextWord> next_words(model::Transformer& model, const torch::Tensor& src, const TargetPrefix& prefix,
                                 const PieceSpeller& speller, const text::Vocab& vocab, int64_t k,
                                 int64_t max_pieces) {
  TORCH_CHECK(src.dim() == 2 && src.size(0) == 1, "next_words expects one source row [1, src_len]");
  TORCH_CHECK(k >= 1 && max_pieces >= 1, "next_words: k and max_pieces must be positive");
  torch::NoGradGuard no_grad;
  const auto device = src.device();
  const auto long_options = torch::TensorOptions().dtype(torch::kLong).device(device);
  auto encoded = model->encode(src);
  auto cache = model->make_cache();
  std::vector<int64_t> start = {text::kBosId};
  start.insert(start.end(), prefix.forced.begin(), prefix.forced.end());
  auto logp = step_log_probs(model, torch::tensor(start, torch::kLong).to(device).unsqueeze(0), encoded, &cache);
  const int64_t V = logp.size(1);
  auto candidates = first_pieces(logp.data_ptr<float>(), V, prefix, speller, 2 * k);
  if (candidates.empty()) return {};
  // One decoder row per candidate, all continuing from the prefix.
  const auto repeat = torch::zeros({static_cast<int64_t>(candidates.size())}, long_options);
  cache.reorder(repeat);
  encoded = encoded.index_select(repeat);
  std::vector<size_t> active(candidates.size());
  for (size_t i = 0; i < active.size(); ++i) active[i] = i;
  for (int64_t step = 1; step < max_pieces && !active.empty(); ++step) {
    std::vector<int64_t> last;
    for (auto i : active) last.push_back(candidates[i].pieces.back());
    logp = step_log_probs(model, torch::tensor(last, torch::kLong).to(device), encoded, &cache);
    std::vector<size_t> still;
    std::vector<int64_t> keep;
    for (size_t r = 0; r < active.size(); ++r) {
      auto& c = candidates[active[r]];
      auto tokens = prefix.forced;
      tokens.insert(tokens.end(), c.pieces.begin(), c.pieces.end());
      const float* lp = logp.data_ptr<float>() + static_cast<int64_t>(r) * V;
      const int64_t piece = next_piece(lp, V, prefix, tokens, speller);
      if (piece < 0) continue;  // the word is complete
      c.pieces.push_back(piece);
      c.log_prob += lp[piece];
      still.push_back(active[r]);
      keep.push_back(static_cast<int64_t>(r));
    }
    if (still.size() != active.size() && !still.empty()) {
      const auto index = torch::tensor(keep, torch::kLong).to(device);
      cache.reorder(index);
      encoded = encoded.index_select(index);
    }
    active.swap(still);
  }
  // One entry per word, its likelier path; most likely first.
  std::map<std::string, NextWord> by_word;
  for (const auto& c : candidates) {
    NextWord w{vocab.decode(std::vector<int>(c.pieces.begin(), c.pieces.end())), c.pieces, c.log_prob};
    if (w.word.empty()) continue;
    auto it = by_word.find(w.word);
    if (it == by_word.end() || it->second.log_prob < w.log_prob) by_word[w.word] = std::move(w);
  }
  std::vector<NextWord> out;
  for (auto& [word, w] : by_word) out.push_back(std::move(w));
  std::sort(out.begin(), out.end(), [](const NextWord& a, const NextWord& b) { return a.log_prob > b.log_prob; });
  if (static_cast<int64_t>(out.size()) > k) out.resize(static_cast<size_t>(k));
  return out;
}

}  // namespace crosstalk::search
