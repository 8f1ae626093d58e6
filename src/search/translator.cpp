#include "crosstalk/search/translator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "crosstalk/search/next_words.h"

#include "crosstalk/text/encode_limited.h"

namespace crosstalk::search {

namespace {

// Sources as the searches take them: [rows, longest + 1] (pieces + EOS, right-padded).
torch::Tensor source_batch(const std::vector<const std::vector<int>*>& rows, const SpecialIds& ids) {
  size_t longest = 0;
  for (const auto* r : rows) longest = std::max(longest, r->size());
  auto src = torch::full({static_cast<int64_t>(rows.size()), static_cast<int64_t>(longest) + 1}, ids.pad, torch::kLong);
  auto s = src.accessor<int64_t, 2>();
  for (size_t k = 0; k < rows.size(); ++k) {
    for (size_t j = 0; j < rows[k]->size(); ++j) s[k][j] = (*rows[k])[j];
    s[k][rows[k]->size()] = ids.eos;
  }
  return src;
}

}  // namespace

Translator::Translator(model::Transformer model, text::Vocab vocab, torch::Device device)
    : model_(std::move(model)), vocab_(std::move(vocab)), device_(device), speller_(vocab_) {
  model_->to(device_);
  model_->eval();
}

std::vector<Translation> Translator::translate(const std::vector<std::string>& lines,
                                               const DecodeOptions& options, const std::function<bool()>& stop) {
  return translate(lines, {}, options, stop);
}

std::vector<Translation> Translator::translate(const std::vector<std::string>& lines,
                                               const std::vector<std::string>& prefixes, const DecodeOptions& options,
                                               const std::function<bool()>& stop) {
  TORCH_CHECK(options.beam_size >= 1, "beam size must be at least 1");
  TORCH_CHECK(prefixes.empty() || prefixes.size() == lines.size(), "translate: ", prefixes.size(),
              " prefixes for ", lines.size(), " lines");
  // No constraint at all where every prefix is empty: the plain search, as without prefixes.
  std::vector<TargetPrefix> targets;
  if (std::any_of(prefixes.begin(), prefixes.end(), [](const std::string& p) { return !p.empty(); }))
    for (const auto& p : prefixes) targets.push_back(make_target_prefix(vocab_, p));
  const SpecialIds ids{text::kPadId, text::kBosId, text::kEosId};
  std::vector<Translation> out(lines.size());
  // Keep room for EOS inside the position table.
  const auto max_src = static_cast<size_t>(model_->options().max_positions() - 1);
  std::vector<size_t> order;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto encoded = text::encode_limited(vocab_, lines[i], max_src);
    out[i].source_ids = std::move(encoded.ids);
    out[i].truncated = encoded.truncated;
    if (!targets.empty()) out[i].prefix_word_pieces = static_cast<int64_t>(targets[i].forced.size());
    if (!out[i].source_ids.empty()) order.push_back(i);
    else out[i].done = true;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return out[a].source_ids.size() < out[b].source_ids.size();
  });
  const auto batch_size = static_cast<size_t>(std::max<int64_t>(options.batch_size, 1));
  size_t searched = 0;  // order[0, searched) have been translated
  for (size_t start = 0; start < order.size(); start += batch_size) {
    if (stop && stop()) break;
    const size_t end = std::min(order.size(), start + batch_size);
    std::vector<const std::vector<int>*> rows;
    for (size_t k = start; k < end; ++k) rows.push_back(&out[order[k]].source_ids);
    const auto src = source_batch(rows, ids);
    std::vector<TargetPrefix> batch_prefixes;
    PrefixConstraints constraints;
    if (!targets.empty()) {
      for (size_t k = start; k < end; ++k) batch_prefixes.push_back(targets[order[k]]);
      constraints = {&batch_prefixes, &speller_};
    }
    if (options.beam_size == 1) {
      auto hyps = greedy_search(model_, src.to(device_), options, ids, constraints);
      for (size_t k = start; k < end; ++k) out[order[k]].nbest = {std::move(hyps[k - start])};
    } else {
      auto lists = beam_search(model_, src.to(device_), options, ids, constraints);
      for (size_t k = start; k < end; ++k) out[order[k]].nbest = std::move(lists[k - start]);
    }
    searched = end;
  }
  auto detokenize = [&](const Hypothesis& h) { return vocab_.decode(std::vector<int>(h.tokens.begin(), h.tokens.end())); };
  for (size_t k = 0; k < searched; ++k) {
    auto& t = out[order[k]];
    t.done = true;
    if (t.nbest.empty()) continue;
    t.best = t.nbest.front();
    t.text = detokenize(t.best);
    for (const auto& h : t.nbest) t.nbest_text.push_back(detokenize(h));
  }
  return out;
}

std::vector<Completion> Translator::complete(const std::vector<std::string>& lines,
                                            const std::vector<std::string>& prefixes, int64_t k,
                                            const DecodeOptions& options) {
  TORCH_CHECK(prefixes.size() == lines.size(), "complete: ", prefixes.size(), " prefixes for ", lines.size(), " lines");
  TORCH_CHECK(k >= 0, "complete: k must not be negative, got ", k);
  const auto max_src = static_cast<size_t>(model_->options().max_positions() - 1);
  // The rows of one search: the lines with their prefixes, then each line's alternatives.
  std::vector<std::string> rows = lines, starts = prefixes;
  std::vector<std::vector<NextWord>> words(lines.size());
  for (size_t i = 0; k > 0 && i < lines.size(); ++i) {
    const auto encoded = text::encode_limited(vocab_, lines[i], max_src);
    if (encoded.ids.empty()) continue;
    const auto src = source_batch({&encoded.ids}, {text::kPadId, text::kBosId, text::kEosId});
    const auto target = make_target_prefix(vocab_, prefixes[i]);
    words[i] = next_words(model_, src.to(device_), target, speller_, vocab_, k);
    for (const auto& w : words[i]) {
      rows.push_back(lines[i]);
      starts.push_back((target.words.empty() ? std::string() : target.words + " ") + w.word + " ");
    }
  }
  auto translations = translate(rows, starts, options);
  std::vector<Completion> out(lines.size());
  size_t at = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    out[i].translation = std::move(translations[i]);
    for (const auto& w : words[i])
      out[i].alternatives.push_back({w.word, std::exp(w.log_prob), std::move(translations[at++].text)});
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
