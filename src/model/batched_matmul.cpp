#include "crosstalk/model/batched_matmul.h"

#include "parallel_for.h"

extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                       const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                       const float* beta, float* c, const int* ldc);

namespace crosstalk::model {

namespace {

// Row-major c[n] = op(a[n]) op(b[n]); op(a) is [m, k], op(b) is [k, p].
// Row-major C = A B is column-major C^T = B^T A^T, so BLAS gets b first.
void gemm_batch(const float* a, const float* b, float* c, int64_t batch, int m, int p, int k, bool ta,
                bool tb) {
  const int lda = ta ? m : k, ldb = tb ? k : p, ldc = p;
  const char ca = ta ? 'T' : 'N', cb = tb ? 'T' : 'N';
  const int64_t sa = static_cast<int64_t>(m) * k, sb = static_cast<int64_t>(k) * p, sc = static_cast<int64_t>(m) * p;
  const float one = 1.0f, zero = 0.0f;
  at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      sgemm_(&cb, &ca, &p, &m, &k, &one, b + i * sb, &ldb, a + i * sa, &lda, &zero, c + i * sc, &ldc);
  });
}

torch::Tensor gemm(const torch::Tensor& a, const torch::Tensor& b, bool ta, bool tb) {
  const int64_t batch = a.size(0);
  const int m = static_cast<int>(ta ? a.size(2) : a.size(1));
  const int k = static_cast<int>(ta ? a.size(1) : a.size(2));
  const int p = static_cast<int>(tb ? b.size(1) : b.size(2));
  TORCH_CHECK((tb ? b.size(2) : b.size(1)) == k, "batched_matmul: inner sizes differ: ", a.sizes(),
              (ta ? "^T" : ""), " @ ", b.sizes(), (tb ? "^T" : ""));
  auto c = torch::empty({batch, m, p}, a.options());
  if (batch == 0 || m == 0 || p == 0) return c;
  if (k == 0) return c.zero_();
  auto ac = a.contiguous(), bc = b.contiguous();
  gemm_batch(ac.data_ptr<float>(), bc.data_ptr<float>(), c.data_ptr<float>(), batch, m, p, k, ta, tb);
  return c;
}

class BatchedMatmul : public torch::autograd::Function<BatchedMatmul> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                               const torch::Tensor& b, bool ta, bool tb) {
    ctx->save_for_backward({a, b});
    ctx->saved_data["ta"] = ta;
    ctx->saved_data["tb"] = tb;
    return gemm(a, b, ta, tb);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& a = saved[0];
    const auto& b = saved[1];
    const bool ta = ctx->saved_data["ta"].toBool(), tb = ctx->saved_data["tb"].toBool();
    auto g = grads[0].contiguous();  // [N, M, P]
    torch::Tensor ga, gb;
    // C = op(A) op(B):  d op(A) = dC op(B)^T,  d op(B) = op(A)^T dC.
    if (ctx->needs_input_grad(0)) ga = ta ? gemm(b, g, tb, true) : gemm(g, b, false, !tb);
    if (ctx->needs_input_grad(1)) gb = tb ? gemm(g, a, true, ta) : gemm(a, g, !ta, false);
    return {ga, gb, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b, bool trans_a, bool trans_b) {
  TORCH_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0),
              "batched_matmul expects [N, *, *] tensors with one batch size, got ", a.sizes(), " and ",
              b.sizes());
  const bool fast = a.is_cpu() && b.is_cpu() && a.scalar_type() == torch::kFloat &&
                    b.scalar_type() == torch::kFloat && a.size(1) < (1 << 30) && a.size(2) < (1 << 30);
  if (!fast) {
    auto x = trans_a ? a.transpose(1, 2) : a;
    auto y = trans_b ? b.transpose(1, 2) : b;
    return torch::matmul(x, y);
  }
  return BatchedMatmul::apply(a, b, trans_a, trans_b);
}

}  // namespace crosstalk::model
