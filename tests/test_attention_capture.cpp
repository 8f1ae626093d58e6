// Cross-attention capture: forced alignment (teacher forcing) and decoding give the same
// weights, batching and padding change nothing, rows are distributions, and a model
// overfit on a monotone corpus aligns word i to word i.
#include <catch2/catch.hpp>

#include "toy_model.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/eval/aer.h"
#include "crosstalk/align/attention_capture.h"
#include "crosstalk/common/error.h"
#include "crosstalk/search/translator.h"
#include "tolerance.h"

namespace ct = crosstalk;
namespace al = crosstalk::align;

namespace {

ct::model::ModelOptions small_options(int64_t vocab) {
  return ct::model::ModelOptions().vocab_size(vocab).d_model(32).heads(2).encoder_layers(2).decoder_layers(3)
      .ffn_dim(64).dropout(0.0).tied_embeddings(true).max_positions(64);
}

bool same_length(const std::string& de, const std::string& en) {
  auto words = [](const std::string& s) {
    std::istringstream in(s);
    size_t n = 0;
    for (std::string w; in >> w;) ++n;
    return n;
  };
  return words(de) == words(en);
}

}  // namespace

TEST_CASE("forced attention: shapes, distributions, batching and padding", "[align][capture]") {
  ScopedTempDir tmp("capture");
  auto toy = toy_pairs(tmp.path, 9);
  torch::manual_seed(5);
  ct::model::Transformer model(small_options(toy.vocab.size()), ct::text::kPadId);
  model->eval();
  const auto batched = al::forced_attention(model, toy.vocab, toy.de, toy.en, /*batch_size=*/4);
  REQUIRE(batched.size() == toy.de.size());
  // A batch pads its sentences at most to the longest source and target of all of them.
  int64_t longest_src = 0, longest_tgt = 0;
  for (const auto& r : batched) {
    longest_src = std::max(longest_src, static_cast<int64_t>(r.src_pieces.size()) + 1);
    longest_tgt = std::max(longest_tgt, static_cast<int64_t>(r.tgt_pieces.size()) + 1);
  }
  for (size_t i = 0; i < batched.size(); ++i) {
    const auto& r = batched[i];
    INFO("pair " << i << ": " << toy.de[i] << " -> " << toy.en[i]);
    const int64_t src_len = static_cast<int64_t>(r.src_pieces.size()) + 1;
    const int64_t tgt_len = static_cast<int64_t>(r.tgt_pieces.size()) + 1;
    CHECK(r.attention.sizes() == torch::IntArrayRef({3, 2, tgt_len, src_len}));
    // Softmax rows over the src_len source positions.
    CHECK(tolerance::max_abs_diff(r.attention.sum(-1), torch::ones({3, 2, tgt_len})) <=
          tolerance::float_error(tolerance::softmax_row_sum_roundings(src_len)));
    // words are the whitespace tokens, EOS last
    std::istringstream src_words(toy.de[i]);
    std::vector<std::string> expected;
    for (std::string w; src_words >> w;) expected.push_back(w);
    expected.push_back("</s>");
    CHECK(r.src.words == expected);
    // one at a time (no padding) gives the same weights
    const auto single = al::forced_attention(model, toy.vocab, {toy.de[i]}, {toy.en[i]}, 1);
    // Weights (<= 1) at the end of a chain no longer than the model's to its logits, on the
    // padded lengths of the batch.
    CHECK(tolerance::max_abs_diff(single[0].attention, r.attention) <=
          tolerance::float_rtol(tolerance::transformer_roundings(model->options(), longest_src, longest_tgt)));
    // word-level rows sum to 1 for every selection: the softmax rows (above), the float means
    // over 3 layers and 2 heads (all weights >= 0: relative, 3 + 2 roundings), one float
    // rounding of each merged cell (merge_attention sums in double); the test sums in double.
    const double row_sum_error =
        tolerance::float_error(tolerance::softmax_row_sum_roundings(src_len) + 3 + 2 + 1);
    for (const al::AttentionSelection sel : {al::AttentionSelection{}, al::AttentionSelection{0, 0},
                                             al::AttentionSelection{2, 1}}) {
      const auto m = r.word_matrix(sel);
      for (int64_t row = 0; row < m.n_rows(); ++row) {
        double sum = 0;
        for (int64_t c = 0; c < m.n_cols(); ++c) sum += m.at(row, c);
        CHECK(sum == tolerance::approx_rel(1.0, row_sum_error));
      }
    }
    const auto links = r.alignment({});
    CHECK(static_cast<int64_t>(links.size()) == r.tgt.real_words);  // argmax: one link per target word
    for (const auto& l : links) {
      CHECK(l.src < r.src.real_words);
      CHECK(l.tgt < r.tgt.real_words);
    }
  }
  CHECK_THROWS_AS(batched[0].word_matrix({4, 0}), ct::UserError);   // 3 layers
  CHECK_THROWS_AS(batched[0].word_matrix({1, 3}), ct::UserError);   // 2 heads
  CHECK_THROWS_AS(al::forced_attention(model, toy.vocab, toy.de, {"x"}), ct::UserError);
}

TEST_CASE("the attention recorded while decoding equals forced attention on the output", "[align][capture]") {
  ScopedTempDir tmp("capture_decode");
  auto toy = toy_pairs(tmp.path, 8);
  torch::manual_seed(11);
  ct::model::Transformer model(small_options(toy.vocab.size()), ct::text::kPadId);
  ct::search::Translator translator(model, toy.vocab, torch::kCPU);
  for (const int64_t beam : {1, 3}) {
    ct::search::DecodeOptions decode;
    decode.beam_size = beam;
    decode.max_len_b = 4;  // an untrained model rambles: keep it short
    decode.return_attention = true;
    const auto translations = translator.translate(toy.de, decode);
    for (size_t i = 0; i < toy.de.size(); ++i) {
      INFO("beam " << beam << ", sentence " << i << ": " << toy.de[i] << " -> " << translations[i].text);
      const auto decoded = al::translation_attention(translations[i], toy.vocab, toy.de[i]);
      // Forced through the very pieces the search produced (not re-encoded text).
      std::vector<int64_t> ids = translations[i].best.tokens;
      auto tgt_in = torch::tensor(ids, torch::kLong);
      tgt_in = torch::cat({torch::full({1}, ct::text::kBosId, torch::kLong), tgt_in}).unsqueeze(0);
      std::vector<int64_t> src_ids(translations[i].source_ids.begin(), translations[i].source_ids.end());
      src_ids.push_back(ct::text::kEosId);
      torch::NoGradGuard no_grad;
      auto enc = model->encode(torch::tensor(src_ids, torch::kLong).unsqueeze(0));
      auto forced = torch::stack(model->decode(tgt_in, enc, true).cross_attention, 1)[0];  // [L, H, T+1, S+1]
      REQUIRE(decoded.attention.sizes() == forced.sizes());
      // Weights (<= 1) at the end of a chain no longer than the model's to its logits.
      CHECK(tolerance::max_abs_diff(decoded.attention, forced) <=
            tolerance::float_rtol(tolerance::transformer_roundings(model->options(), forced.size(3), forced.size(2))));
      CHECK(decoded.src_pieces.size() == translations[i].source_ids.size());
    }
  }
}

TEST_CASE("a model trained on a monotone toy corpus aligns word i to word i", "[align][capture][overfit]") {
  ScopedTempDir tmp("capture_overfit");
  // Pairs with as many German as English words map word for word, in order. A vocabulary
  // of 120 pieces keeps most words whole; 200 pairs make the model learn the lexicon
  // instead of memorizing sentences (with a dozen pairs attention need not align at all).
  auto toy = toy_pairs(tmp.path, 200, same_length, 120);
  overfit(&toy, ct::model::ModelOptions().vocab_size(toy.vocab.size()).d_model(64).heads(2).encoder_layers(1)
                    .decoder_layers(1).ffn_dim(128).dropout(0.0).tied_embeddings(true).max_positions(64),
          600);
  const auto records = al::forced_attention(toy.model, toy.vocab, toy.de, toy.en);
  std::vector<al::GoldAlignment> diagonal;
  std::vector<al::Alignment> hyps;
  size_t exact = 0;
  for (const auto& r : records) {
    REQUIRE(r.src.real_words == r.tgt.real_words);
    al::GoldAlignment g;
    for (int64_t i = 0; i < r.src.real_words; ++i) g.sure.push_back({i, i});
    g.possible = g.sure;
    diagonal.push_back(g);
    hyps.push_back(r.alignment({}));
    if (hyps.back() == g.sure) ++exact;
  }
  const auto score = crosstalk::eval::score_alignments(diagonal, hyps);
  // One link per target word (argmax) against sure = possible gold: AER is the share of target
  // words linked to a wrong source word. An aligner blind to position finds the diagonal once
  // in L words: its AER is 1 - sentences / words (chance, 0.81 here).
  const auto sentences = static_cast<double>(records.size());
  const auto words = static_cast<double>(score.sure_links);
  const double chance = 1.0 - sentences / words;
  INFO(score.to_string() << "; " << exact << " of " << records.size() << " sentences exactly i-i; chance AER "
                         << chance);
  // Learned: 4 sentences in 5 aligned exactly i-i, and the others off by about one link
  // each, i.e. at most (1 - 4/5) * sentences wrong links: AER < 0.2 sentences / words (0.038).
  CHECK(exact >= records.size() * 8 / 10);
  CHECK(score.aer < 0.2 * sentences / words);
  // The untrained model does not align like this: most of its links are wrong, as chance's
  // are; the diagonal comes from training, not from the architecture (the source and target
  // share the sinusoidal positions).
  torch::manual_seed(1234);
  ct::model::Transformer untrained(toy.model->options(), ct::text::kPadId);
  std::vector<al::Alignment> before;
  for (const auto& r : al::forced_attention(untrained, toy.vocab, toy.de, toy.en)) before.push_back(r.alignment({}));
  CHECK(crosstalk::eval::score_alignments(diagonal, before).aer > 0.5);
}
