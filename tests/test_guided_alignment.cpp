// Guided alignment training: word links onto pieces, the alignment file's checks,
// the loss (minimum, gradient), and on the toy corpus that training with a permuted
// alignment makes the attention follow the permutation.
#include <catch2/catch.hpp>

#include "toy_model.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/eval/aer.h"
#include "crosstalk/align/attention_capture.h"
#include "crosstalk/common/error.h"
#include "crosstalk/train/guided_alignment.h"
#include "alignment_printer.h"
#include "tolerance.h"

namespace Catch {
template <>
struct StringMaker<std::vector<crosstalk::train::PieceLink>> {
  static std::string convert(const std::vector<crosstalk::train::PieceLink>& links) {
    std::string s;
    for (const auto& l : links) s += (s.empty() ? "" : " ") + std::to_string(l.tgt) + ":" + std::to_string(l.src);
    return "\"" + s + "\"";
  }
};
}  // namespace Catch

namespace ct = crosstalk;
namespace al = crosstalk::align;
namespace tr = crosstalk::train;
using tr::PieceLink;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

int64_t words(const std::string& s) {
  std::istringstream in(s);
  int64_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

bool same_length(const std::string& de, const std::string& en) { return words(de) == words(en); }

}  // namespace

TEST_CASE("word links map onto every piece of the linked words", "[guided]") {
  // source words: 0 = pieces 0,1   1 = piece 2   2 = pieces 3,4,5
  // target words: 0 = piece 0      1 = pieces 1,2 (no link)   2 = piece 3
  const std::vector<int64_t> src_word = {0, 0, 1, 2, 2, 2};
  const std::vector<int64_t> tgt_word = {0, 1, 1, 2};
  const al::Alignment links = {{0, 0}, {2, 0}, {1, 2}};
  const auto pieces = tr::map_word_links(links, src_word, tgt_word);
  const std::vector<PieceLink> expected = {{0, 0}, {0, 1}, {0, 3}, {0, 4}, {0, 5}, {3, 2}};
  CHECK(pieces == expected);

  // As labels: linked rows are distributions over their linked pieces, unlinked rows
  // (target word 1, the EOS row, padding) are zero, and so are padded source columns.
  const auto labels = tr::alignment_labels({&pieces}, 6, 8);  // [1, 6, 8]: tgt + EOS + pad, src + EOS + pad
  const auto rows = labels[0].sum(-1);
  CHECK(rows[0].item<float>() == Approx(1.0f));
  CHECK(rows[3].item<float>() == Approx(1.0f));
  for (int64_t t : {1, 2, 4, 5}) CHECK(rows[t].item<float>() == 0.0f);
  CHECK(labels[0][0][3].item<float>() == Approx(0.2f));
  CHECK(labels[0][3][2].item<float>() == 1.0f);
  CHECK(labels[0].slice(1, 6).abs().sum().item<float>() == 0.0f);
}

TEST_CASE("the alignment file must match the training files line by line", "[guided]") {
  ScopedTempDir tmp("guided_file");
  write(tmp.path / "a.de", "ein hund\n\nzwei katzen schlafen\n");
  write(tmp.path / "a.en", "a dog\nx\ntwo cats sleep\n");
  const auto corpus = ct::text::read_parallel((tmp.path / "a.de").string(), (tmp.path / "a.en").string());
  REQUIRE(corpus.src.size() == 2);  // the pair with a blank side is skipped ...
  SECTION("a good file: the skipped pair's line is passed over") {
    write(tmp.path / "ok.align", "0-0 1-1\n9-9\n2-2 0-0 1-1\n");  // ... so its (bad) line is never read
    const auto links = tr::read_guided_alignment((tmp.path / "ok.align").string(), corpus);
    REQUIRE(links.size() == 2);
    CHECK(links[0] == al::Alignment{{0, 0}, {1, 1}});
    CHECK(links[1] == al::Alignment{{0, 0}, {1, 1}, {2, 2}});
  }
  SECTION("another line count") {
    write(tmp.path / "short.align", "0-0\n0-0\n");
    CHECK_THROWS_WITH(tr::read_guided_alignment((tmp.path / "short.align").string(), corpus),
                      Catch::Contains("has 2 lines, the training files have 3"));
  }
  SECTION("a link outside the sentence names its line") {
    write(tmp.path / "far.align", "0-0\n\n0-3\n");
    CHECK_THROWS_WITH(tr::read_guided_alignment((tmp.path / "far.align").string(), corpus),
                      Catch::Contains("far.align:3: link 0-3 is outside the pair (source has 3 words, target 3)"));
  }
  SECTION("a malformed link names its line") {
    write(tmp.path / "bad.align", "0-x\n\n0-0\n");
    CHECK_THROWS_WITH(tr::read_guided_alignment((tmp.path / "bad.align").string(), corpus),
                      Catch::Contains("bad.align:1"));
  }
  SECTION("a no-break space separates words, as align counts them") {
    write(tmp.path / "n.de", "nummer\xc2\xa0" "28\n");
    write(tmp.path / "n.en", "number 28\n");
    const auto nbsp = ct::text::read_parallel((tmp.path / "n.de").string(), (tmp.path / "n.en").string());
    write(tmp.path / "n.align", "0-0 1-1\n");
    CHECK(tr::read_guided_alignment((tmp.path / "n.align").string(), nbsp).size() == 1);
  }
  SECTION("a missing file") {
    CHECK_THROWS_AS(tr::read_guided_alignment((tmp.path / "none.align").string(), corpus), ct::UserError);
  }
}

TEST_CASE("the guided loss is smallest, at the labels' entropy, when attention equals the labels", "[guided]") {
  torch::manual_seed(7);
  const std::vector<PieceLink> a = {{0, 0}, {0, 2}, {1, 1}, {3, 0}, {3, 1}, {3, 2}};
  const std::vector<PieceLink> b = {{2, 3}};
  const auto labels = tr::alignment_labels({&a, &b}, 5, 5).to(torch::kDouble);  // [2, 5, 5]
  // Attention equal to the labels on linked rows, anything on the others.
  auto attention = torch::softmax(torch::randn({2, 5, 5}, torch::kDouble), -1);
  const auto linked = labels.sum(-1, true) > 0;
  attention = torch::where(linked, labels, attention);
  const double loss = tr::guided_alignment_loss(attention, labels).item<double>();
  const auto plogp = torch::where(labels > 0, labels * labels.log(), torch::zeros_like(labels));
  const double entropy = -plogp.sum().item<double>();
  // Entropy: rows of 2, 1, 3 and 1 links: log 2 + log 3, up to the float32 labels
  // (1/3 rounded once, then 1/3 log 1/3 summed three times: a few float roundings).
  CHECK(entropy == Approx(std::log(2.0) + std::log(3.0)).epsilon(tolerance::float_rtol(8)));
  // The loss sums the same handful of double terms of magnitude <= log 3: far below 1e-12.
  CHECK(loss == Approx(entropy).epsilon(1e-12));
  // Any other attention costs more (Gibbs' inequality: the excess is KL(labels || attention) > 0).
  for (int trial = 0; trial < 5; ++trial) {
    auto other = torch::softmax(torch::randn({2, 5, 5}, torch::kDouble), -1);
    CHECK(tr::guided_alignment_loss(other, labels).item<double>() > entropy);
  }
  // Unlinked rows add nothing, whatever they hold, even zeros.
  auto zeroed = torch::where(linked, attention, torch::zeros_like(attention));
  CHECK(tr::guided_alignment_loss(zeroed, labels).item<double>() == Approx(entropy).epsilon(1e-12));
}

TEST_CASE("the guided loss's gradient agrees with finite differences", "[guided]") {
  torch::manual_seed(11);
  const std::vector<PieceLink> a = {{0, 1}, {1, 0}, {1, 3}, {2, 2}};
  const auto labels = tr::alignment_labels({&a}, 4, 4).to(torch::kDouble);
  auto scores = torch::randn({1, 4, 4}, torch::kDouble).requires_grad_(true);
  auto loss_of = [&](const torch::Tensor& s) { return tr::guided_alignment_loss(torch::softmax(s, -1), labels); };
  loss_of(scores).backward();
  const auto grad = scores.grad().clone();
  // Central differences in double: truncation h^2 |f'''| / 6 and rounding about
  // u |f| / h; with h = u^(1/3) = 1.2e-5 both are near u^(2/3) = 5e-11 times the size of
  // f and its derivatives (of order 1 here: log-softmax terms of scores ~ N(0, 1)).
  // 1e-8 leaves two orders of magnitude for those constants; a wrong gradient (a
  // missing term, a sign) is off by O(0.1).
  const double h = std::cbrt(tolerance::kDoubleUnitRoundoff);
  torch::NoGradGuard no_grad;
  double worst = 0;
  for (int64_t i = 0; i < 16; ++i) {
    auto plus = scores.detach().clone(), minus = scores.detach().clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    const double numeric = (loss_of(plus).item<double>() - loss_of(minus).item<double>()) / (2 * h);
    worst = std::max(worst, std::abs(numeric - grad.view(-1)[i].item<double>()));
  }
  CHECK(worst < 1e-8);
  CHECK(grad.abs().max().item<double>() > 0.01);  // the check is not vacuous
}

TEST_CASE("guided_attention picks a layer and a head, or their means", "[guided]") {
  std::vector<torch::Tensor> cross = {torch::rand({2, 3, 4, 5}), torch::rand({2, 3, 4, 5})};
  using Selection = crosstalk::align::AttentionSelection;
  CHECK(torch::equal(tr::guided_attention(cross, Selection{2, 3}), cross[1].select(1, 2)));
  CHECK(torch::allclose(tr::guided_attention(cross, Selection{1, 0}), cross[0].mean(1)));
  CHECK(torch::allclose(tr::guided_attention(cross, Selection{0, 2}), (cross[0] + cross[1]).select(1, 1) / 2));
  // default: the layer guided training supervises by default (the penultimate)
  const int64_t layer = crosstalk::align::default_guided_layer(2);
  REQUIRE(layer == 1);
  const auto expected = layer == 0 ? (cross[0] + cross[1]).select(1, 0) / 2 : cross[layer - 1].select(1, 0);
  CHECK(torch::allclose(tr::guided_attention(cross, Selection{Selection::kDefaultLayer, 1}), expected));
  CHECK_THROWS_WITH(tr::guided_attention(cross, Selection{3, 0}),
                    Catch::Contains("--guided-alignment-layer 3") && Catch::Contains("layers 1..2"));
  CHECK_THROWS_WITH(tr::guided_attention(cross, Selection{1, 4}),
                    Catch::Contains("--guided-alignment-head 4") && Catch::Contains("heads 1..3"));
}

TEST_CASE("guided training with a permuted alignment makes the attention follow the permutation",
          "[guided][overfit]") {
  ScopedTempDir tmp("guided_permuted");
  // The toy pairs with as many German as English words translate word i as word i
  // (the capture test shows an unguided model learns that diagonal). Labels that say
  // German word n-1-i instead are wrong on purpose: the attention can only learn them
  // from the guided loss.
  auto toy = toy_pairs(tmp.path, 200, same_length, 120);
  ct::text::ParallelCorpus corpus;
  std::vector<al::Alignment> reversed;
  std::vector<al::GoldAlignment> reversed_gold, diagonal_gold;
  for (size_t k = 0; k < toy.de.size(); ++k) {
    corpus.src.push_back(toy.de[k]);
    corpus.tgt.push_back(toy.en[k]);
    const int64_t n = words(toy.de[k]);
    al::GoldAlignment r, d;
    for (int64_t i = 0; i < n; ++i) {
      r.sure.push_back({n - 1 - i, i});
      d.sure.push_back({i, i});
    }
    std::sort(r.sure.begin(), r.sure.end());
    r.possible = r.sure;
    d.possible = d.sure;
    reversed.push_back(r.sure);
    reversed_gold.push_back(r);
    diagonal_gold.push_back(d);
  }
  const auto stats = tr::attach_piece_links(toy.examples, reversed, corpus, toy.vocab);
  REQUIRE(stats.word_count_mismatches == 0);
  REQUIRE(stats.pairs_with_links == static_cast<int64_t>(toy.examples.size()));
  tr::GuidedAlignmentOptions guided;
  guided.path = "labels";  // enabled; the links are already attached
  guided.weight = 1.0;
  // Two decoder layers: the first (the default, penultimate) is guided, the second is free to translate.
  const auto options = ct::model::ModelOptions().vocab_size(toy.vocab.size()).d_model(64).heads(2)
                           .encoder_layers(1).decoder_layers(2).ffn_dim(128).dropout(0.0)
                           .tied_embeddings(true).max_positions(64);
  overfit(&toy, options, 600, &guided);
  const auto records = al::forced_attention(toy.model, toy.vocab, toy.de, toy.en);
  std::vector<al::Alignment> hyps;
  for (const auto& r : records) hyps.push_back(r.alignment({1, 0}));  // layer 1, heads averaged
  const auto to_reversed = crosstalk::eval::score_alignments(reversed_gold, hyps);
  const auto to_diagonal = crosstalk::eval::score_alignments(diagonal_gold, hyps);
  INFO("against the permuted links: " << to_reversed.to_string() << "; against the true ones: "
                                      << to_diagonal.to_string());
  CHECK(to_reversed.aer < 0.1);
  CHECK(to_diagonal.aer > 0.5);
}
