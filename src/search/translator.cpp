#include "crosstalk/search/translator.h"

#include <algorithm>
#include <numeric>

namespace crosstalk::search {

Translator::Translator(model::Transformer model, text::Vocab vocab, torch::Device device)
    : model_(std::move(model)), vocab_(std::move(vocab)), device_(device) {
  model_->to(device_);
  model_->eval();
}

std::vector<Translation> Translator::translate(const std::vector<std::string>& lines,
                                               const DecodeOptions& options) {
  TORCH_CHECK(options.beam_size >= 1, "beam size must be at least 1");
  const SpecialIds ids{text::kPadId, text::kBosId, text::kEosId};
  std::vector<Translation> out(lines.size());
  // Keep room for EOS inside the position table.
  const auto max_src = static_cast<size_t>(model_->options().max_positions() - 1);
  std::vector<size_t> order;
  for (size_t i = 0; i < lines.size(); ++i) {
    out[i].source_ids = vocab_.encode(lines[i]);
    if (out[i].source_ids.size() > max_src) out[i].source_ids.resize(max_src);
    if (!out[i].source_ids.empty()) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return out[a].source_ids.size() < out[b].source_ids.size();
  });
  const auto batch_size = static_cast<size_t>(std::max<int64_t>(options.batch_size, 1));
  for (size_t start = 0; start < order.size(); start += batch_size) {
    const size_t end = std::min(order.size(), start + batch_size);
    const auto width = static_cast<int64_t>(out[order[end - 1]].source_ids.size() + 1);
    auto src = torch::full({static_cast<int64_t>(end - start), width}, ids.pad, torch::kLong);
    auto s = src.accessor<int64_t, 2>();
    for (size_t k = start; k < end; ++k) {
      const auto& piece_ids = out[order[k]].source_ids;
      for (size_t j = 0; j < piece_ids.size(); ++j) s[k - start][j] = piece_ids[j];
      s[k - start][piece_ids.size()] = ids.eos;
    }
    if (options.beam_size == 1) {
      auto hyps = greedy_search(model_, src.to(device_), options, ids);
      for (size_t k = start; k < end; ++k) out[order[k]].nbest = {std::move(hyps[k - start])};
    } else {
      auto lists = beam_search(model_, src.to(device_), options, ids);
      for (size_t k = start; k < end; ++k) out[order[k]].nbest = std::move(lists[k - start]);
    }
  }
  auto detokenize = [&](const Hypothesis& h) { return vocab_.decode(std::vector<int>(h.tokens.begin(), h.tokens.end())); };
  for (size_t i : order) {
    auto& t = out[i];
    if (t.nbest.empty()) continue;
    t.best = t.nbest.front();
    t.text = detokenize(t.best);
    for (const auto& h : t.nbest) t.nbest_text.push_back(detokenize(h));
  }
  return out;
}

std::vector<std::string> Translator::translate_text(const std::vector<std::string>& lines,
                                                    const DecodeOptions& options) {
  auto translations = translate(lines, options);
  std::vector<std::string> text(translations.size());
  for (size_t i = 0; i < translations.size(); ++i) text[i] = std::move(translations[i].text);
  return text;
}

}  // namespace crosstalk::search
