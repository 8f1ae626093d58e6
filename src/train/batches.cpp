#include "crosstalk/train/batches.h"

#include <algorithm>
#include <numeric>

namespace crosstalk::train {

int64_t example_cost(const Example& example) {
  return static_cast<int64_t>(std::max(example.src.size(), example.tgt.size())) + 2;
}

std::vector<std::vector<size_t>> make_batches(const std::vector<Example>& examples,
                                              int64_t max_tokens, std::mt19937_64* rng) {
  TORCH_CHECK(max_tokens > 0, "max_tokens must be positive");
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  if (rng) std::shuffle(order.begin(), order.end(), *rng);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& x = examples[a];
    const auto& y = examples[b];
    return x.src.size() != y.src.size() ? x.src.size() < y.src.size() : x.tgt.size() < y.tgt.size();
  });
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> current;
  int64_t current_max = 0;
  for (size_t i : order) {
    const int64_t cost = example_cost(examples[i]);
    const int64_t new_max = std::max(current_max, cost);
    if (!current.empty() && new_max * static_cast<int64_t>(current.size() + 1) > max_tokens) {
      batches.push_back(std::move(current));
      current.clear();
      current_max = cost;
    } else {
      current_max = new_max;
    }
    current.push_back(i);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  if (rng) std::shuffle(batches.begin(), batches.end(), *rng);
  return batches;
}

Batch collate(const std::vector<Example>& examples, const std::vector<size_t>& indices,
              int64_t pad_id, int64_t bos_id, int64_t eos_id, const torch::Device& device,
              bool with_alignment) {
  TORCH_CHECK(!indices.empty(), "collate needs at least one example");
  size_t src_len = 0, tgt_len = 0;
  for (size_t i : indices) {
    src_len = std::max(src_len, examples[i].src.size() + 1);
    tgt_len = std::max(tgt_len, examples[i].tgt.size() + 1);
  }
  const auto n = static_cast<int64_t>(indices.size());
  auto src = torch::full({n, static_cast<int64_t>(src_len)}, pad_id, torch::kLong);
  auto tgt_in = torch::full({n, static_cast<int64_t>(tgt_len)}, pad_id, torch::kLong);
  auto tgt_out = torch::full({n, static_cast<int64_t>(tgt_len)}, pad_id, torch::kLong);
  auto s = src.accessor<int64_t, 2>();
  auto ti = tgt_in.accessor<int64_t, 2>();
  auto to = tgt_out.accessor<int64_t, 2>();
  Batch batch;
  for (int64_t row = 0; row < n; ++row) {
    const auto& ex = examples[indices[row]];
    batch.example_ids.push_back(static_cast<int64_t>(indices[row]));
    const auto ls = static_cast<int64_t>(ex.src.size()), lt = static_cast<int64_t>(ex.tgt.size());
    for (int64_t j = 0; j < ls; ++j) s[row][j] = ex.src[j];
    s[row][ls] = eos_id;
    ti[row][0] = bos_id;
    for (int64_t j = 0; j < lt; ++j) {
      ti[row][j + 1] = ex.tgt[j];
      to[row][j] = ex.tgt[j];
    }
    to[row][lt] = eos_id;
    batch.src_tokens += ls + 1;
    batch.tgt_tokens += lt + 1;
  }
  batch.sentences = n;
  batch.src = src.to(device);
  batch.tgt_in = tgt_in.to(device);
  batch.tgt_out = tgt_out.to(device);
  if (with_alignment) {
    std::vector<const std::vector<PieceLink>*> links;
    for (size_t i : indices) {
      links.push_back(&examples[i].links);
      for (size_t k = 0; k < examples[i].links.size(); ++k)  // links are sorted by target piece
        if (k == 0 || examples[i].links[k].tgt != examples[i].links[k - 1].tgt) ++batch.aligned_rows;
    }
    batch.alignment = alignment_labels(links, static_cast<int64_t>(tgt_len), static_cast<int64_t>(src_len)).to(device);
  }
  return batch;
}

}  // namespace crosstalk::train
