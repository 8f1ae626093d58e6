#include "crosstalk/align/attention_capture.h"

#include <algorithm>

#include "crosstalk/common/error.h"
#include "crosstalk/text/encode_limited.h"

namespace crosstalk::align {

namespace {

// The surface pieces of `line` for its first ids.size() pieces (encode_pieces keeps the
// text of unknown characters, where piece(<unk>) would only say "<unk>"), without encoding
// all of a very long line.
std::vector<std::string> surface_pieces(const text::Vocab& vocab, const std::string& line,
                                        const std::vector<int>& ids) {
  auto pieces = text::encode_pieces_limited(vocab, line, ids.size());
  if (pieces.size() < ids.size()) {
    pieces.clear();
    for (int id : ids) pieces.push_back(vocab.piece(id));
  }
  pieces.resize(ids.size());
  return pieces;
}

}  // namespace

std::vector<AttentionRecord> forced_attention(model::Transformer& model, const text::Vocab& vocab,
                                              const std::vector<std::string>& sources,
                                              const std::vector<std::string>& targets, int64_t batch_size) {
  if (sources.size() != targets.size())
    throw UserError("forced alignment needs as many targets as sources: " + std::to_string(sources.size()) +
                    " source and " + std::to_string(targets.size()) + " target lines");
  torch::NoGradGuard no_grad;
  model->eval();
  const auto device = model->parameters().front().device();
  const auto max_len = static_cast<size_t>(model->options().max_positions() - 1);  // + EOS / BOS
  const size_t n = sources.size(), step = static_cast<size_t>(std::max<int64_t>(batch_size, 1));
  // Batches of similar lengths pad less: encode everything, run the pairs in order of
  // (source, target) length, and put each record back at its pair's place.
  std::vector<text::LimitedIds> src_enc, tgt_enc;
  src_enc.reserve(n);
  tgt_enc.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    src_enc.push_back(text::encode_limited(vocab, sources[i], max_len));
    tgt_enc.push_back(text::encode_limited(vocab, targets[i], max_len));
  }
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto la = src_enc[a].ids.size(), lb = src_enc[b].ids.size();
    return la != lb ? la < lb : tgt_enc[a].ids.size() < tgt_enc[b].ids.size();
  });
  std::vector<AttentionRecord> out(n);
  for (size_t start = 0; start < n; start += step) {
    const size_t end = std::min(n, start + step);
    size_t src_width = 0, tgt_width = 0;
    for (size_t k = start; k < end; ++k) {
      src_width = std::max(src_width, src_enc[order[k]].ids.size() + 1);
      tgt_width = std::max(tgt_width, tgt_enc[order[k]].ids.size() + 1);
    }
    const auto rows = static_cast<int64_t>(end - start);
    auto src = torch::full({rows, static_cast<int64_t>(src_width)}, text::kPadId, torch::kLong);     // pieces + EOS
    auto tgt_in = torch::full({rows, static_cast<int64_t>(tgt_width)}, text::kPadId, torch::kLong);  // BOS + pieces
    auto s = src.accessor<int64_t, 2>();
    auto t = tgt_in.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      const auto& src_ids = src_enc[order[start + r]].ids;
      const auto& tgt_ids = tgt_enc[order[start + r]].ids;
      for (size_t j = 0; j < src_ids.size(); ++j) s[r][j] = src_ids[j];
      s[r][src_ids.size()] = text::kEosId;
      t[r][0] = text::kBosId;
      for (size_t j = 0; j < tgt_ids.size(); ++j) t[r][j + 1] = tgt_ids[j];
    }
    auto encoded = model->encode(src.to(device));
    auto decoded = model->decode(tgt_in.to(device), encoded, /*need_weights=*/true);
    // per layer [rows, heads, tgt_width, src_width] -> [rows, layers, heads, tgt_width, src_width]
    auto all = torch::stack(decoded.cross_attention, 1).to(torch::kCPU, torch::kFloat);
    for (int64_t r = 0; r < rows; ++r) {
      const size_t i = order[start + static_cast<size_t>(r)];
      const auto& src_ids = src_enc[i].ids;
      const auto& tgt_ids = tgt_enc[i].ids;
      const auto tl = static_cast<int64_t>(tgt_ids.size()) + 1, sl = static_cast<int64_t>(src_ids.size()) + 1;
      out[i] = make_record(surface_pieces(vocab, sources[i], src_ids), surface_pieces(vocab, targets[i], tgt_ids),
                           all[r].narrow(2, 0, tl).narrow(3, 0, sl));
      out[i].src_truncated = src_enc[i].truncated;
      out[i].tgt_truncated = tgt_enc[i].truncated;
    }
  }
  return out;
}

AttentionRecord translation_attention(const search::Translation& translation, const text::Vocab& vocab,
                                      const std::string& source_line, size_t k) {
  if (translation.nbest.empty()) return make_record({}, {}, torch::zeros({0, 0, 1, 1}));
  TORCH_CHECK(k < translation.nbest.size(), "hypothesis ", k, " of ", translation.nbest.size());
  const auto& best = translation.nbest[k];
  TORCH_CHECK(best.attention.defined(), "the translation has no attention: decode with return_attention");
  std::vector<std::string> tgt;
  for (int64_t id : best.tokens) tgt.push_back(vocab.piece(static_cast<int>(id)));
  auto record = make_record(surface_pieces(vocab, source_line, translation.source_ids), std::move(tgt), best.attention);
  record.forced_pieces = std::min<int64_t>(translation.prefix_word_pieces, static_cast<int64_t>(best.tokens.size()));
  return record;
}

}  // namespace crosstalk::align
