// SentencePiece pieces -> words, and piece-level attention -> word-level attention.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/align/words.h"
#include "tolerance.h"

using crosstalk::align::merge_attention;
using crosstalk::align::segment_words;

namespace {
const std::string M = "\xE2\x96\x81";  // ▁
}

TEST_CASE("segment_words: a piece without the word-start marker joins the word before it", "[align][words]") {
  const std::vector<std::string> pieces = {M + "Ein", M + "Mann", M + "fähr", "t", M + "über", M + "die",
                                           M + "Br", "ü", "cke", "."};
  const auto seg = segment_words(pieces, /*with_eos=*/false);
  CHECK(seg.words == std::vector<std::string>{"Ein", "Mann", "fährt", "über", "die", "Brücke."});
  CHECK(seg.piece_word == std::vector<int64_t>{0, 1, 2, 2, 3, 4, 5, 5, 5, 5});
  CHECK(seg.real_words == 6);
  CHECK(seg.pieces() == 10);

  const auto with_eos = segment_words(pieces, /*with_eos=*/true);
  CHECK(with_eos.words.back() == "</s>");
  CHECK(with_eos.real_words == 6);
  CHECK(with_eos.piece_word.size() == 11);
  CHECK(with_eos.piece_word.back() == 6);
}

TEST_CASE("segment_words: edge cases", "[align][words]") {
  SECTION("the first piece opens a word even without the marker") {
    const auto seg = segment_words({"ab", "c", M + "d"}, false);
    CHECK(seg.words == std::vector<std::string>{"abc", "d"});
  }
  SECTION("a lone marker piece opens a word the next pieces fill") {
    const auto seg = segment_words({M + "x", M, "(", "y", M + "z"}, false);
    CHECK(seg.words == std::vector<std::string>{"x", "(y", "z"});
    CHECK(seg.piece_word == std::vector<int64_t>{0, 1, 1, 1, 2});
  }
  SECTION("nothing but EOS") {
    const auto seg = segment_words({}, true);
    CHECK(seg.words == std::vector<std::string>{"</s>"});
    CHECK(seg.real_words == 0);
  }
}

TEST_CASE("merge_attention: sum over source pieces, mean over target pieces", "[align][words]") {
  // source pieces: ▁a ▁b c </s>  -> words a, bc, </s>
  // target pieces: ▁x y ▁z </s>  -> words xy, z, </s>
  const auto src = segment_words({M + "a", M + "b", "c"}, true);
  const auto tgt = segment_words({M + "x", "y", M + "z"}, true);
  const std::vector<float> w = {
      0.5f, 0.2f, 0.2f, 0.1f,  // x
      0.1f, 0.3f, 0.5f, 0.1f,  // y
      0.0f, 0.0f, 0.4f, 0.6f,  // z
      0.2f, 0.2f, 0.2f, 0.4f,  // </s>
  };
  const auto m = merge_attention(w, tgt, src);
  CHECK(m.rows == std::vector<std::string>{"xy", "z", "</s>"});
  CHECK(m.cols == std::vector<std::string>{"a", "bc", "</s>"});
  // row xy = mean of rows x and y, with b and c summed: a 0.3, bc 0.6, </s> 0.1
  // The weights are decimals rounded to float (each within u; a mean of positive sums stays
  // within u), merge_attention sums in double and rounds each cell to float once (u), and the
  // expected decimal is rounded to float too (u): 3 float roundings.
  const double rtol = tolerance::float_error(3);
  CHECK(m.at(0, 0) == tolerance::approx_rel(0.3f, rtol));
  CHECK(m.at(0, 1) == tolerance::approx_rel(0.6f, rtol));
  CHECK(m.at(0, 2) == tolerance::approx_rel(0.1f, rtol));
  CHECK(m.at(1, 1) == tolerance::approx_rel(0.4f, rtol));
  CHECK(m.at(1, 2) == tolerance::approx_rel(0.6f, rtol));
  CHECK(m.at(2, 1) == tolerance::approx_rel(0.4f, rtol));
  CHECK_THROWS_AS(merge_attention({0.5f}, tgt, src), std::invalid_argument);
}

TEST_CASE("merge_attention: word rows still sum to 1 for random segmentations", "[align][words]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    auto random_pieces = [&](int n) {
      std::vector<std::string> p;
      for (int i = 0; i < n; ++i) p.push_back((i == 0 || rng() % 3 == 0 ? M : std::string()) + "p" + std::to_string(i));
      return p;
    };
    const auto src = segment_words(random_pieces(1 + static_cast<int>(rng() % 9)), true);
    const auto tgt = segment_words(random_pieces(1 + static_cast<int>(rng() % 9)), true);
    std::vector<float> w;
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int64_t t = 0; t < tgt.pieces(); ++t) {  // each piece row a probability distribution
      std::vector<float> row(static_cast<size_t>(src.pieces()));
      float total = 0.0f;
      for (auto& x : row) total += (x = u(rng));
      for (auto x : row) w.push_back(x / total);
    }
    const auto m = merge_attention(w, tgt, src);
    REQUIRE(m.n_rows() == static_cast<int64_t>(tgt.words.size()));
    REQUIRE(m.n_cols() == static_cast<int64_t>(src.words.size()));
    // Each piece row sums to 1 within its float total (src.pieces() terms) and the division
    // (1); merge_attention means such rows in double and rounds each cell to float (1, all
    // weights >= 0); the test sums in double.
    const double row_sum_error = tolerance::float_error(src.pieces() + 1 + 1);
    for (int64_t r = 0; r < m.n_rows(); ++r) {
      double sum = 0.0;
      for (int64_t c = 0; c < m.n_cols(); ++c) sum += m.at(r, c);
      CHECK(sum == tolerance::approx_rel(1.0, row_sum_error));
    }
  }
}

TEST_CASE("attention record: the forced words are the leading words made only of forced pieces", "[align][words]") {
  // "a man runs": pieces ▁a | ▁ma n | ▁runs, then EOS
  auto record = crosstalk::align::make_record({M + "ein"}, {M + "a", M + "ma", "n", M + "runs"},
                                              torch::full({1, 1, 5, 2}, 0.5f));
  const std::vector<std::pair<int64_t, int64_t>> cases = {{0, 0}, {1, 1}, {2, 1}, {3, 2}, {4, 3}, {9, 3}};
  for (const auto& [pieces, words] : cases) {
    record.forced_pieces = pieces;
    INFO(pieces << " forced pieces");
    CHECK(record.forced_words() == words);
  }
}
