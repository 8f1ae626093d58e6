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
  std::vector<AttentionRecord> out;
  out.reserve(n);
  for (size_t start = 0; start < n; start += step) {
    const size_t end = std::min(n, start + step);
    std::vector<std::vector<int>> src_ids, tgt_ids;
    std::vector<bool> src_cut, tgt_cut;
    size_t src_width = 0, tgt_width = 0;
    for (size_t i = start; i < end; ++i) {
      auto src_encoded = text::encode_limited(vocab, sources[i], max_len);
      auto tgt_encoded = text::encode_limited(vocab, targets[i], max_len);
      src_ids.push_back(std::move(src_encoded.ids));
      tgt_ids.push_back(std::move(tgt_encoded.ids));
      src_cut.push_back(src_encoded.truncated);
      tgt_cut.push_back(tgt_encoded.truncated);
      src_width = std::max(src_width, src_ids.back().size() + 1);
      tgt_width = std::max(tgt_width, tgt_ids.back().size() + 1);
    }
    const auto rows = static_cast<int64_t>(end - start);
    auto src = torch::full({rows, static_cast<int64_t>(src_width)}, text::kPadId, torch::kLong);     // pieces + EOS
    auto tgt_in = torch::full({rows, static_cast<int64_t>(tgt_width)}, text::kPadId, torch::kLong);  // BOS + pieces
    auto s = src.accessor<int64_t, 2>();
    auto t = tgt_in.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < src_ids[r].size(); ++j) s[r][j] = src_ids[r][j];
      s[r][src_ids[r].size()] = text::kEosId;
      t[r][0] = text::kBosId;
      for (size_t j = 0; j < tgt_ids[r].size(); ++j) t[r][j + 1] = tgt_ids[r][j];
    }
    auto encoded = model->encode(src.to(device));
    auto decoded = model->decode(tgt_in.to(device), encoded, /*need_weights=*/true);
    // per layer [rows, heads, tgt_width, src_width] -> [rows, layers, heads, tgt_width, src_width]
    auto all = torch::stack(decoded.cross_attention, 1).to(torch::kCPU, torch::kFloat);
    for (int64_t r = 0; r < rows; ++r) {
      const auto tl = static_cast<int64_t>(tgt_ids[r].size()) + 1, sl = static_cast<int64_t>(src_ids[r].size()) + 1;
      const size_t i = start + static_cast<size_t>(r);
      out.push_back(make_record(surface_pieces(vocab, sources[i], src_ids[r]),
                                surface_pieces(vocab, targets[i], tgt_ids[r]),
                                all[r].narrow(2, 0, tl).narrow(3, 0, sl)));
      out.back().src_truncated = src_cut[r];
      out.back().tgt_truncated = tgt_cut[r];
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
  return make_record(surface_pieces(vocab, source_line, translation.source_ids), std::move(tgt), best.attention);
}

}  // namespace crosstalk::align
