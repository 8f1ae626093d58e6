// The validation split of train --valid-size: parsing, sizes, determinism, and that
// nothing held out is trained on.
#include <catch2/catch.hpp>

#include <set>

#include "crosstalk/common/error.h"
#include "crosstalk/train/corpus_split.h"

using namespace crosstalk::train;
using crosstalk::UserError;

namespace {

crosstalk::text::ParallelCorpus numbered_corpus(size_t n) {
  crosstalk::text::ParallelCorpus c;
  for (size_t i = 0; i < n; ++i) {
    c.src.push_back("source " + std::to_string(i));
    c.tgt.push_back("target " + std::to_string(i));
    c.line_numbers.push_back(i + 1);
  }
  c.file_lines = n;
  return c;
}

std::set<std::string> pairs_of(const crosstalk::text::ParallelCorpus& c) {
  std::set<std::string> out;
  for (size_t i = 0; i < c.src.size(); ++i) out.insert(c.src[i] + "|" + c.tgt[i]);
  return out;
}

}  // namespace

TEST_CASE("valid size: auto, counts, fractions and percentages", "[split]") {
  CHECK(parse_valid_size("auto").kind == ValidSize::Kind::kAuto);
  const auto count = parse_valid_size("500");
  CHECK(count.kind == ValidSize::Kind::kCount);
  CHECK(resolve_valid_size(count, 3000) == 500);
  CHECK(resolve_valid_size(parse_valid_size("0.1"), 3000) == 300);
  CHECK(resolve_valid_size(parse_valid_size("5%"), 3000) == 150);
  CHECK(parse_valid_size("5%").text() == "5%");
  // auto: 5%, at least 1, at most 1000.
  CHECK(resolve_valid_size(ValidSize(), 3000) == 150);
  CHECK(resolve_valid_size(ValidSize(), 29000) == 1000);
  CHECK(resolve_valid_size(ValidSize(), 10) == 1);
  for (const char* bad : {"0", "-3", "1.5", "1.0", "120%", "0%", "ten", "", "5%%", "1e3", ".", "1..2", " 5"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_valid_size(bad), UserError);
  }
}

TEST_CASE("valid size: a corpus too small, or a size that leaves nothing to train on", "[split]") {
  CHECK_THROWS_WITH(resolve_valid_size(ValidSize(), 1), Catch::Contains("too few to hold out"));
  CHECK_THROWS_WITH(resolve_valid_size(parse_valid_size("100"), 100), Catch::Contains("nothing is left to train on"));
  CHECK_THROWS_WITH(resolve_valid_size(parse_valid_size("0.999"), 100), Catch::Contains("nothing is left to train on"));
  CHECK(resolve_valid_size(parse_valid_size("99"), 100) == 99);
}

TEST_CASE("split: disjoint, complete, the same for the same seed, another for another", "[split]") {
  const auto corpus = numbered_corpus(500);
  const auto a = split_corpus(corpus, 50, 1), b = split_corpus(corpus, 50, 1), c = split_corpus(corpus, 50, 2);
  CHECK(a.valid.src.size() == 50);
  CHECK(a.train.src.size() == 450);
  CHECK(a.copies_removed == 0);
  CHECK(a.valid.src == b.valid.src);
  CHECK(a.train.src == b.train.src);
  CHECK(a.valid.src != c.valid.src);
  auto all = pairs_of(a.train);
  for (const auto& p : pairs_of(a.valid)) CHECK(all.insert(p).second);  // disjoint
  CHECK(all == pairs_of(corpus));                                       // complete
  // Line numbers still name the lines of the files (guided alignment reads them), in order.
  for (size_t i = 0; i < a.train.src.size(); ++i)
    CHECK(a.train.src[i] == "source " + std::to_string(a.train.line_numbers[i] - 1));
  CHECK(std::is_sorted(a.train.line_numbers.begin(), a.train.line_numbers.end()));
  CHECK(a.train.file_lines == 500);
  // Not just the first or last lines: the held-out pairs come from across the corpus.
  CHECK(a.valid.line_numbers.front() < 100);
  CHECK(a.valid.line_numbers.back() > 400);
}

TEST_CASE("split: training copies of a held-out pair are removed", "[split]") {
  // Every pair appears three times: whatever is held out has two copies among the rest.
  crosstalk::text::ParallelCorpus corpus;
  for (int copy = 0; copy < 3; ++copy)
    for (int i = 0; i < 40; ++i) {
      corpus.src.push_back("s" + std::to_string(i));
      corpus.tgt.push_back("t" + std::to_string(i));
    }
  const auto split = split_corpus(corpus, 10, 7);
  const auto held = pairs_of(split.valid);
  for (const auto& p : pairs_of(split.train)) CHECK(held.count(p) == 0);
  // 10 held-out positions cover between 4 (10 = 3+3+3+1) and 10 distinct pairs.
  const auto distinct = static_cast<int64_t>(held.size());
  CHECK(split.copies_removed == 3 * distinct - 10);
  CHECK(split.train.src.size() + split.valid.src.size() + static_cast<size_t>(split.copies_removed) == 120);
}

TEST_CASE("split: a corpus of one repeated pair leaves nothing to train on", "[split]") {
  crosstalk::text::ParallelCorpus corpus;
  corpus.src.assign(5, "same");
  corpus.tgt.assign(5, "same");
  CHECK_THROWS_WITH(split_corpus(corpus, 1, 1), Catch::Contains("nothing is left to train on"));
}
