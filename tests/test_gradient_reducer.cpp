// dist::GradientReducer over a real c10d communicator: two ranks as two threads of this
// process, on 127.0.0.1 and a free port.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <future>
#include <thread>

#include "crosstalk/dist/communicator.h"
#include "crosstalk/dist/gradient_reducer.h"

using namespace crosstalk::dist;

namespace {

struct RankResult {
  std::vector<torch::Tensor> grads;
  torch::Tensor extra;
  double scale = 0;
};

// Rank `rank`'s parameters: the same shapes on both, gradients rank-specific; parameter 2
// has no gradient on rank 1 (an unused parameter, an empty shard).
RankResult run_rank(int rank, int port, int64_t bucket_bytes) {
  World w;
  w.rank = rank;
  w.size = 2;
  w.master_addr = "127.0.0.1";
  w.master_port = port;
  CommunicatorOptions o;
  o.backend = "gloo";
  o.timeout = std::chrono::seconds(60);
  o.join_timeout = std::chrono::seconds(60);
  auto comm = connect(w, o);
  std::vector<torch::Tensor> params = {torch::zeros({3, 4}), torch::zeros({5}), torch::zeros({2, 2}), torch::zeros({7})};
  for (size_t i = 0; i < params.size(); ++i) {
    if (rank == 1 && i == 2) continue;
    params[i].mutable_grad() = torch::full(params[i].sizes(), static_cast<float>((rank + 1) * 10 + i));
    params[i].mutable_grad()[0] = static_cast<float>(rank * 100 + i);  // not the same value everywhere
  }
  GradientReducer reducer(params, comm.get(), bucket_bytes);
  RankResult r;
  r.extra = torch::tensor({1.0 + rank, 100.0 * rank}, torch::kDouble);
  reducer.reduce(r.extra, [&](const torch::Tensor& e) {
    r.scale = 1.0 / e[0].item<double>();
    return r.scale;
  });
  for (auto& p : params) r.grads.push_back(p.grad().clone());
  return r;
}

}  // namespace

TEST_CASE("gradient reducer: the sum of the ranks' gradients times the scale of the summed counts", "[dist]") {
  if (!distributed_available()) {
    FAIL("built without distributed training: install libgloo-dev (bash scripts/setup.sh) and rebuild");
  }
  // 40 bytes per bucket: the 48-byte parameter gets a bucket of its own, the others share.
  for (const int64_t bucket_bytes : {int64_t{40}, GradientReducer::kDefaultBucketBytes}) {
    const int port = free_port();
    auto rank1 = std::async(std::launch::async, [&] { return run_rank(1, port, bucket_bytes); });
    const auto r0 = run_rank(0, port, bucket_bytes);
    const auto r1 = rank1.get();
    CHECK(r0.scale == 1.0 / 3.0);  // counts 1 + 2
    CHECK(r1.scale == 1.0 / 3.0);
    CHECK(torch::equal(r0.extra, torch::tensor({3.0, 100.0}, torch::kDouble)));
    for (size_t i = 0; i < r0.grads.size(); ++i) {
      INFO("parameter " << i << ", bucket bytes " << bucket_bytes);
      auto expected = torch::full(r0.grads[i].sizes(), static_cast<float>(10 + i + (i == 2 ? 0 : 20 + i)));
      expected[0] = static_cast<float>(i + (i == 2 ? 0 : 100 + i));
      expected.mul_(static_cast<float>(1.0 / 3.0));
      // One float sum of two exact integers, one float multiplication: within 2 roundings.
      CHECK(torch::allclose(r0.grads[i], expected, 2 * 0x1p-24, 0));
      CHECK(torch::equal(r0.grads[i], r1.grads[i]));
    }
  }
}
