// align::Aligner, the forward + reverse aligner: what it returns is what its parts
// (forced attention, translation attention, symmetrize_pair) give one by one, the models
// untrained (the pipeline, not the quality, is under test); mismatched pairs are counted
// and keep the forward links.
#include <catch2/catch.hpp>

#include "toy_model.h"

#include <string>
#include <vector>

#include "crosstalk/align/aligner.h"
#include "crosstalk/align/attention_capture.h"
#include "crosstalk/align/symmetrize.h"
#include "crosstalk/common/error.h"
#include "crosstalk/search/translator.h"

namespace al = crosstalk::align;
namespace ct = crosstalk;

namespace {

ct::model::Transformer random_model(int64_t vocab, uint64_t seed, int64_t max_positions = 64) {
  torch::manual_seed(seed);
  ct::model::Transformer m(ct::model::ModelOptions().vocab_size(vocab).d_model(32).heads(2).encoder_layers(1)
                               .decoder_layers(2).ffn_dim(64).dropout(0.0).max_positions(max_positions),
                           ct::text::kPadId);
  m->eval();
  return m;
}

}  // namespace

TEST_CASE("aligner: forward alone gives the forced attention's links", "[aligner]") {
  ScopedTempDir tmp("aligner");
  auto toy = toy_pairs(tmp.path, 6);
  auto fwd = random_model(toy.vocab.size(), 1);
  const al::AttentionSelection selection{2, 0};
  al::Aligner aligner({fwd, &toy.vocab}, std::nullopt, al::AlignerOptions{selection, 0.0, al::kDefaultSymmetrizeMethod, 4});
  CHECK_FALSE(aligner.has_reverse());
  const auto pairs = aligner.align(toy.de, toy.en, [](size_t k) { return std::to_string(k); });
  const auto records = al::forced_attention(fwd, toy.vocab, toy.de, toy.en);
  REQUIRE(pairs.size() == records.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    CHECK_FALSE(pairs[k].symmetrized);
    CHECK(al::to_pharaoh(pairs[k].forward) == al::to_pharaoh(records[k].alignment(selection)));
    CHECK(al::to_pharaoh(pairs[k].links()) == al::to_pharaoh(pairs[k].forward));
    CHECK(pairs[k].matrix(selection).weights == records[k].word_matrix(selection).weights);
    CHECK(pairs[k].detail() == nullptr);
  }
  CHECK_THROWS_AS(aligner.align(toy.de, {toy.en[0]}, [](size_t) { return ""; }), ct::UserError);
}

TEST_CASE("aligner: with a reverse model, the links are symmetrize_pair's", "[aligner]") {
  ScopedTempDir tmp("aligner");
  auto toy = toy_pairs(tmp.path, 6);
  auto fwd = random_model(toy.vocab.size(), 1), rev = random_model(toy.vocab.size(), 2);
  const al::AttentionSelection selection{0, 0};
  const auto records = al::forced_attention(fwd, toy.vocab, toy.de, toy.en);
  const auto reversed = al::forced_attention(rev, toy.vocab, toy.en, toy.de);
  for (const auto method : {al::SymmetrizeMethod::soft_product_gdfa, al::SymmetrizeMethod::grow_diag_final_and}) {
    al::Aligner aligner({fwd, &toy.vocab}, al::AligningModel{rev, &toy.vocab}, al::AlignerOptions{selection, 0.0, method, 4});
    const auto pairs = aligner.align(toy.de, toy.en, [](size_t k) { return std::to_string(k); });
    REQUIRE(pairs.size() == records.size());
    for (size_t k = 0; k < pairs.size(); ++k) {
      const auto expected = al::symmetrize_pair(records[k], reversed[k], selection, 0.0, method,
                                                records[k].alignment(selection));
      REQUIRE(pairs[k].symmetrized);
      REQUIRE(pairs[k].reverse_record);
      CHECK_FALSE(pairs[k].symmetrized->mismatch);
      CHECK(al::to_pharaoh(pairs[k].links()) == al::to_pharaoh(expected.links));
      CHECK(al::to_pharaoh(pairs[k].detail()->reverse_alignment) == al::to_pharaoh(expected.detail.reverse_alignment));
      const auto matrix = pairs[k].matrix(selection);
      const auto want = al::is_soft(method) ? expected.detail.combined
                                            : al::combine_soft(records[k].word_matrix(selection),
                                                               expected.detail.reverse_words,
                                                               al::SymmetrizeMethod::soft_mean);
      CHECK(matrix.weights == want.weights);
    }
    CHECK(aligner.mismatches() == 0);
  }
}

TEST_CASE("aligner: pairs the two models split differently keep the forward links, counted", "[aligner]") {
  ScopedTempDir tmp("aligner");
  auto toy = toy_pairs(tmp.path, 4);
  auto fwd = random_model(toy.vocab.size(), 1);
  auto short_rev = random_model(toy.vocab.size(), 2, 4);  // cuts every sentence to 3 pieces
  std::vector<std::string> de = toy.de, en = toy.en;
  al::Aligner aligner({fwd, &toy.vocab}, al::AligningModel{short_rev, &toy.vocab}, al::AlignerOptions{});
  const auto pairs = aligner.align(de, en, [](size_t k) { return "pair " + std::to_string(k); });
  int64_t mismatched = 0;
  for (const auto& p : pairs) {
    REQUIRE(p.symmetrized);
    if (!p.symmetrized->mismatch) continue;
    ++mismatched;
    CHECK(al::to_pharaoh(p.links()) == al::to_pharaoh(p.forward));
    CHECK(p.matrix({}).weights == p.record.word_matrix({}).weights);
  }
  CHECK(mismatched > 0);
  CHECK(aligner.mismatches() == mismatched);
}

TEST_CASE("aligner: a translation is aligned from the search's own attention", "[aligner]") {
  ScopedTempDir tmp("aligner");
  auto toy = toy_pairs(tmp.path, 3);
  auto fwd = random_model(toy.vocab.size(), 1), rev = random_model(toy.vocab.size(), 2);
  ct::search::Translator translator(fwd, toy.vocab, torch::kCPU);
  ct::search::DecodeOptions decode;
  decode.beam_size = 2;
  decode.nbest = 2;
  decode.max_len_b = 6;
  decode.return_attention = true;
  const std::vector<std::string> lines = {toy.de[0], ""};
  const auto out = translator.translate(lines, decode);
  al::Aligner aligner({fwd, &toy.vocab}, al::AligningModel{rev, &toy.vocab}, al::AlignerOptions{});
  for (size_t k = 0; k < out[0].nbest.size(); ++k) {
    const auto pair = aligner.align_translation(out[0], lines[0], k, "test");
    const auto record = al::translation_attention(out[0], toy.vocab, lines[0], k);
    const auto reversed = al::forced_attention(rev, toy.vocab, {out[0].nbest_text[k]}, {lines[0]});
    CHECK(pair.record.word_matrix({}).weights == record.word_matrix({}).weights);
    const auto expected = al::symmetrize_pair(record, reversed[0], {}, 0.0, al::kDefaultSymmetrizeMethod,
                                              record.alignment({}));
    CHECK(al::to_pharaoh(pair.links()) == al::to_pharaoh(expected.links));
  }
  // An empty line has no translation: no record, no links, and nothing for the reverse model.
  const auto empty = aligner.align_translation(out[1], lines[1], 0, "empty");
  CHECK(empty.record.layers() == 0);
  CHECK(empty.links().empty());
  CHECK_FALSE(empty.symmetrized);
}
