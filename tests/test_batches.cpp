#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <random>
#include <vector>

#include "crosstalk/train/batches.h"

using crosstalk::train::Batch;
using crosstalk::train::collate;
using crosstalk::train::Example;
using crosstalk::train::example_cost;
using crosstalk::train::make_batches;

namespace {

constexpr int64_t kPad = 0, kBos = 2, kEos = 3;

/// Examples with random lengths in [1, max_len] (many ties) and random ids in [4, 50).
std::vector<Example> random_examples(size_t n, int max_len, uint64_t seed) {
  std::mt19937 gen(static_cast<std::mt19937::result_type>(seed));
  std::uniform_int_distribution<int> len(1, max_len), id(4, 49);
  std::vector<Example> examples(n);
  for (auto& ex : examples) {
    ex.src.resize(static_cast<size_t>(len(gen)));
    ex.tgt.resize(static_cast<size_t>(len(gen)));
    for (auto& t : ex.src) t = id(gen);
    for (auto& t : ex.tgt) t = id(gen);
  }
  return examples;
}

int64_t batch_cost(const std::vector<Example>& examples, const std::vector<size_t>& batch) {
  int64_t worst = 0;
  for (size_t i : batch) worst = std::max(worst, example_cost(examples[i]));
  return worst * static_cast<int64_t>(batch.size());
}

std::vector<int64_t> row(const torch::Tensor& t, int64_t r) {
  auto c = t[r].contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

}  // namespace

TEST_CASE("example_cost: longer side plus BOS and EOS", "[batches]") {
  CHECK(example_cost({{5, 6, 7}, {8}}) == 5);
  CHECK(example_cost({{5}, {8, 9, 10, 11}}) == 6);
  CHECK(example_cost({{}, {}}) == 2);
}

TEST_CASE("make_batches: every example exactly once, within the token budget", "[batches]") {
  auto examples = random_examples(300, 20, 7);
  // One over-long example: on its own it already exceeds the budget.
  examples[42].src.assign(70, 9);
  const int64_t max_tokens = 64;
  std::mt19937_64 rng(5);
  for (std::mt19937_64* r : {static_cast<std::mt19937_64*>(nullptr), &rng}) {
    auto batches = make_batches(examples, max_tokens, r);
    std::vector<int> seen(examples.size(), 0);
    for (const auto& b : batches) {
      REQUIRE_FALSE(b.empty());
      for (size_t i : b) {
        REQUIRE(i < examples.size());
        ++seen[i];
      }
      INFO("batch of " << b.size() << " sentences, cost " << batch_cost(examples, b));
      if (b.size() > 1) CHECK(batch_cost(examples, b) <= max_tokens);
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
    // The over-long example sits alone.
    for (const auto& b : batches)
      if (std::find(b.begin(), b.end(), size_t{42}) != b.end()) CHECK(b.size() == 1);
    // The budget is actually used: far fewer batches than sentences.
    CHECK(batches.size() < examples.size() / 3);
  }
}

TEST_CASE("make_batches: batches hold examples sorted by length", "[batches]") {
  auto examples = random_examples(200, 15, 11);
  std::mt19937_64 rng(3);
  for (std::mt19937_64* r : {static_cast<std::mt19937_64*>(nullptr), &rng}) {
    for (const auto& b : make_batches(examples, 50, r)) {
      for (size_t k = 1; k < b.size(); ++k) {
        const auto& prev = examples[b[k - 1]];
        const auto& cur = examples[b[k]];
        CHECK(prev.src.size() <= cur.src.size());
        if (prev.src.size() == cur.src.size()) CHECK(prev.tgt.size() <= cur.tgt.size());
      }
    }
  }
}

TEST_CASE("make_batches: without rng, batches follow length order and are cut greedily", "[batches]") {
  auto examples = random_examples(150, 12, 2);
  const int64_t max_tokens = 40;
  auto a = make_batches(examples, max_tokens, nullptr);
  auto b = make_batches(examples, max_tokens, nullptr);
  CHECK(a == b);
  for (size_t k = 1; k < a.size(); ++k) {
    // Consecutive batches continue the sorted order ...
    CHECK(examples[a[k - 1].back()].src.size() <= examples[a[k].front()].src.size());
    // ... and each batch was closed only because the next example did not fit.
    auto grown = a[k - 1];
    grown.push_back(a[k].front());
    CHECK(batch_cost(examples, grown) > max_tokens);
  }
}

TEST_CASE("make_batches: shuffling is reproducible per seed and differs between seeds", "[batches]") {
  auto examples = random_examples(200, 10, 4);
  std::mt19937_64 rng1(123), rng2(123), rng3(124);
  auto a = make_batches(examples, 48, &rng1);
  auto b = make_batches(examples, 48, &rng2);
  auto c = make_batches(examples, 48, &rng3);
  CHECK(a == b);
  CHECK(a != c);
  // Shuffled batches are not simply the length-sorted ones.
  CHECK(a != make_batches(examples, 48, nullptr));
  // The generator advances: the next epoch gets another order.
  CHECK(make_batches(examples, 48, &rng1) != a);
}

TEST_CASE("collate: EOS-terminated source, BOS-shifted target, padding and counts", "[batches]") {
  std::vector<Example> examples = {
      {{10, 11, 12}, {20, 21}},
      {{13}, {22, 23, 24, 25}},
      {{14, 15}, {}},
  };
  std::vector<size_t> indices = {1, 0, 2};
  Batch batch = collate(examples, indices, kPad, kBos, kEos, torch::kCPU);
  REQUIRE(batch.src.scalar_type() == torch::kLong);
  REQUIRE(batch.src.sizes() == torch::IntArrayRef({3, 4}));     // longest source 3 + EOS
  REQUIRE(batch.tgt_in.sizes() == torch::IntArrayRef({3, 5}));  // longest target 4 + BOS
  REQUIRE(batch.tgt_out.sizes() == batch.tgt_in.sizes());
  CHECK(row(batch.src, 0) == std::vector<int64_t>{13, kEos, kPad, kPad});
  CHECK(row(batch.src, 1) == std::vector<int64_t>{10, 11, 12, kEos});
  CHECK(row(batch.src, 2) == std::vector<int64_t>{14, 15, kEos, kPad});
  CHECK(row(batch.tgt_in, 0) == std::vector<int64_t>{kBos, 22, 23, 24, 25});
  CHECK(row(batch.tgt_out, 0) == std::vector<int64_t>{22, 23, 24, 25, kEos});
  CHECK(row(batch.tgt_in, 1) == std::vector<int64_t>{kBos, 20, 21, kPad, kPad});
  CHECK(row(batch.tgt_out, 1) == std::vector<int64_t>{20, 21, kEos, kPad, kPad});
  CHECK(row(batch.tgt_in, 2) == std::vector<int64_t>{kBos, kPad, kPad, kPad, kPad});
  CHECK(row(batch.tgt_out, 2) == std::vector<int64_t>{kEos, kPad, kPad, kPad, kPad});
  CHECK(batch.sentences == 3);
  CHECK(batch.src_tokens == 2 + 4 + 3);
  CHECK(batch.tgt_tokens == 5 + 3 + 1);
}

TEST_CASE("collate: properties on random batches", "[batches]") {
  auto examples = random_examples(60, 9, 17);
  std::mt19937_64 rng(8);
  for (const auto& indices : make_batches(examples, 40, &rng)) {
    Batch batch = collate(examples, indices, kPad, kBos, kEos, torch::kCPU);
    const auto n = static_cast<int64_t>(indices.size());
    REQUIRE(batch.src.size(0) == n);
    // tgt_out is tgt_in shifted left by one, with EOS where tgt_in's real part ends.
    auto in = batch.tgt_in, out = batch.tgt_out;
    CHECK(torch::all(in.select(1, 0) == kBos).item<bool>());
    CHECK(torch::equal(out.narrow(1, 0, out.size(1) - 1).masked_fill(out.narrow(1, 0, out.size(1) - 1) == kEos, kPad),
                       in.narrow(1, 1, in.size(1) - 1)));
    CHECK(torch::all((out == kEos).sum(1) == 1).item<bool>());
    CHECK(torch::all((batch.src == kEos).sum(1) == 1).item<bool>());
    // Token counts = non-pad positions; the longest row has no padding.
    CHECK(batch.src_tokens == batch.src.ne(kPad).sum().item<int64_t>());
    CHECK(batch.tgt_tokens == out.ne(kPad).sum().item<int64_t>());
    CHECK(batch.tgt_tokens == in.ne(kPad).sum().item<int64_t>());
    CHECK(batch.src.ne(kPad).sum(1).max().item<int64_t>() == batch.src.size(1));
    CHECK(out.ne(kPad).sum(1).max().item<int64_t>() == out.size(1));
    // Padding only at the end of each row.
    for (const auto& t : {batch.src, out}) {
      auto real = t.ne(kPad).to(torch::kLong);
      CHECK(torch::equal(real, std::get<0>(real.cummin(1))));
    }
    for (int64_t r = 0; r < n; ++r) {
      const auto& ex = examples[indices[static_cast<size_t>(r)]];
      auto s = row(batch.src, r);
      CHECK(std::equal(ex.src.begin(), ex.src.end(), s.begin()));
      CHECK(s[ex.src.size()] == kEos);
      auto o = row(out, r);
      CHECK(std::equal(ex.tgt.begin(), ex.tgt.end(), o.begin()));
    }
  }
}
