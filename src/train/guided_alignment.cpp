#include "crosstalk/train/guided_alignment.h"

#include <algorithm>
#include <limits>

#include <spdlog/fmt/fmt.h>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/store/saved_selection.h"
#include "crosstalk/align/words.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/utf8.h"
#include "crosstalk/train/batches.h"

namespace crosstalk::train {

namespace {

// Words as crosstalk's alignments count them: the tokens between spaces after
// SentencePiece's NFKC normalization, which turns the Unicode spaces (category Zs:
// U+00A0 no-break space, U+2000..U+200A, U+202F, U+205F, U+3000, U+1680) into ' '.
// "Nummer\u00A028." is two words, as align writes it.
bool is_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

int64_t whitespace_words(const std::string& line) {
  int64_t words = 0;
  bool in_word = false;
  for (char32_t c : decode_utf8(line)) {
    const bool space = is_space(c);
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::vector<PieceLink> map_word_links(const align::Alignment& links, const std::vector<int64_t>& src_piece_word,
                                      const std::vector<int64_t>& tgt_piece_word) {
  std::vector<PieceLink> out;
  for (int32_t t = 0; t < static_cast<int32_t>(tgt_piece_word.size()); ++t) {
    for (const auto& link : links) {
      if (link.tgt != tgt_piece_word[t]) continue;
      for (int32_t s = 0; s < static_cast<int32_t>(src_piece_word.size()); ++s)
        if (src_piece_word[s] == link.src) out.push_back({t, s});
    }
  }
  std::sort(out.begin(), out.end(), [](const PieceLink& a, const PieceLink& b) {
    return a.tgt != b.tgt ? a.tgt < b.tgt : a.src < b.src;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<align::Alignment> read_guided_alignment(const std::string& path, const text::ParallelCorpus& corpus) {
  const auto lines = text::read_lines(path, text::FlawedLines::repair);
  if (lines.size() != corpus.file_lines)
    throw UserError("--guided-alignment '" + path + "' has " + std::to_string(lines.size()) +
                    " lines, the training files have " + std::to_string(corpus.file_lines) + ": one line of links per sentence pair");
  std::vector<align::Alignment> out;
  out.reserve(corpus.line_numbers.size());
  for (size_t k = 0; k < corpus.line_numbers.size(); ++k) {
    const size_t number = corpus.line_numbers[k];
    const std::string where = path + ":" + std::to_string(number);
    auto links = align::parse_pharaoh(lines[number - 1], where);
    const int64_t src_words = whitespace_words(corpus.src[k]), tgt_words = whitespace_words(corpus.tgt[k]);
    for (const auto& link : links) {
      if (link.src >= src_words || link.tgt >= tgt_words)
        throw UserError(where + ": link " + std::to_string(link.src) + "-" + std::to_string(link.tgt) +
                        " is outside the pair (source has " + std::to_string(src_words) + " words, target " +
                        std::to_string(tgt_words) + ")");
    }
    out.push_back(std::move(links));
  }
  return out;
}

PieceLinkStats attach_piece_links(std::vector<Example>& examples, const std::vector<align::Alignment>& links,
                                  const text::ParallelCorpus& corpus, const text::Vocab& vocab) {
  TORCH_CHECK(examples.size() == links.size() && links.size() == corpus.src.size(),
              "attach_piece_links: ", examples.size(), " examples, ", links.size(), " alignments, ",
              corpus.src.size(), " pairs");
  PieceLinkStats stats;
  auto piece_words = [&vocab](const std::vector<int>& ids) {
    std::vector<std::string> pieces;
    pieces.reserve(ids.size());
    for (int id : ids) pieces.push_back(vocab.piece(id));
    return align::segment_words(pieces, false);
  };
  for (size_t k = 0; k < examples.size(); ++k) {
    auto& ex = examples[k];
    ex.links.clear();
    if (links[k].empty()) continue;
    const auto src = piece_words(ex.src), tgt = piece_words(ex.tgt);
    if (src.real_words != whitespace_words(corpus.src[k]) || tgt.real_words != whitespace_words(corpus.tgt[k])) {
      ++stats.word_count_mismatches;
      continue;
    }
    ex.links = map_word_links(links[k], src.piece_word, tgt.piece_word);
    stats.piece_links += static_cast<int64_t>(ex.links.size());
    if (!ex.links.empty()) ++stats.pairs_with_links;
  }
  return stats;
}

torch::Tensor alignment_labels(const std::vector<const std::vector<PieceLink>*>& links, int64_t tgt_len,
                               int64_t src_len) {
  const auto n = static_cast<int64_t>(links.size());
  auto labels = torch::zeros({n, tgt_len, src_len}, torch::kFloat);
  auto a = labels.accessor<float, 3>();
  for (int64_t b = 0; b < n; ++b) {
    for (const auto& link : *links[b]) {
      TORCH_CHECK(link.tgt >= 0 && link.tgt < tgt_len && link.src >= 0 && link.src < src_len, "piece link ",
                  link.tgt, "-", link.src, " outside the batch's [", tgt_len, ", ", src_len, "]");
      a[b][link.tgt][link.src] = 1.0f;
    }
  }
  return labels / labels.sum(-1, true).clamp_min(1.0);
}

namespace {
const align::SelectionNames kGuidedNames{"--guided-alignment-layer", "--guided-alignment-head"};
}  // namespace

torch::Tensor guided_attention(const std::vector<torch::Tensor>& cross_attention,
                               const align::AttentionSelection& selection) {
  const auto layers = static_cast<int64_t>(cross_attention.size());
  TORCH_CHECK(layers > 0, "guided alignment needs the decoder's cross-attention (decode with need_weights)");
  const int64_t heads = cross_attention[0].size(1);
  align::check_selection(selection, layers, heads, kGuidedNames);
  const int64_t layer = align::resolved_guided_layer(selection, layers);
  // [batch, heads, tgt_len, src_len]
  const auto weights = layer == 0 ? torch::stack(cross_attention).mean(0) : cross_attention[layer - 1];
  return selection.head == 0 ? weights.mean(1) : weights.select(1, selection.head - 1);
}

torch::Tensor guided_alignment_loss(const torch::Tensor& attention, const torch::Tensor& labels) {
  TORCH_CHECK(attention.dim() == 3 && attention.sizes() == labels.sizes(),
              "guided alignment loss expects attention and labels [batch, tgt_len, src_len], got ",
              attention.sizes(), " and ", labels.sizes());
  // log only where a label is non-zero: elsewhere 0 * log(0) would be NaN. The
  // floor keeps an underflowed weight finite (its gradient is then cut, as a
  // weight below FLT_MIN is lost anyway).
  const auto linked = labels > 0;
  const auto safe = attention.masked_fill(linked.logical_not(), 1.0)
                        .clamp_min(std::numeric_limits<float>::min());
  return -(labels.to(attention.scalar_type()) * safe.log()).sum();
}

void check_guided_alignment(const GuidedAlignmentOptions& g, const model::ModelOptions& m) {
  if (g.enabled()) align::check_selection(g.attention, m.decoder_layers(), m.heads(), kGuidedNames);
}

void save_guided_selection(const GuidedAlignmentOptions& g, const model::ModelOptions& m, const std::string& dir) {
  store::SavedSelection saved;
  if (const auto before = store::read_selection(dir)) saved = *before;
  saved.attention = {align::resolved_guided_layer(g.attention, m.decoder_layers()), g.attention.head};
  saved.origin = "guided alignment training (" + align::describe(saved.attention, m.decoder_layers(), m.heads()) +
                 ", weight " + fmt::format("{:g}", g.weight) + ")";
  store::write_selection(dir, saved);
}

}  // namespace crosstalk::train
