#include "crosstalk/model/one_query_attention.h"

#include "parallel_for.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace crosstalk::model {

namespace {

bool float_cpu_contiguous(const torch::Tensor& t) {
  return t.defined() && t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous();
}

// One (row, head): w = softmax(q . k_j + bias_j) over j, out = sum_j w_j v_j.
void attend_one(const float* q, const float* k, const float* v, const float* bias, int64_t kv_len, int64_t d,
                float* w, float* out) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < kv_len; ++j) {
    const float* kj = k + j * d;
    float s = 0.0f;
    for (int64_t c = 0; c < d; ++c) s += q[c] * kj[c];
    if (bias) s += bias[j];
    w[j] = s;
    max = std::max(max, s);
  }
  float sum = 0.0f;
  for (int64_t j = 0; j < kv_len; ++j) {
    // A fully masked row (max = -inf) gives NaN, as torch::softmax does.
    w[j] = std::exp(w[j] - max);
    sum += w[j];
  }
  const float inv = 1.0f / sum;
  std::fill(out, out + d, 0.0f);
  for (int64_t j = 0; j < kv_len; ++j) {
    w[j] *= inv;
    const float* vj = v + j * d;
    for (int64_t c = 0; c < d; ++c) out[c] += w[j] * vj[c];
  }
}

}  // namespace

bool one_query_attention_applies(const torch::Tensor& q, const torch::Tensor& key, const torch::Tensor& value,
                                 const torch::Tensor& bias) {
  if (!float_cpu_contiguous(q) || !float_cpu_contiguous(key) || !float_cpu_contiguous(value)) return false;
  if (q.dim() != 4 || q.size(2) != 1 || key.dim() != 4 || key.sizes() != value.sizes()) return false;
  if (key.size(0) != q.size(0) || key.size(1) != q.size(1) || key.size(3) != q.size(3)) return false;
  if (!bias.defined()) return true;
  return float_cpu_contiguous(bias) && bias.dim() == 4 && bias.size(0) == q.size(0) && bias.size(1) == 1 &&
         bias.size(2) == 1 && bias.size(3) == key.size(2);
}

OneQueryAttention one_query_attention(const torch::Tensor& q, const torch::Tensor& key, const torch::Tensor& value,
                                      const torch::Tensor& bias) {
  TORCH_CHECK(one_query_attention_applies(q, key, value, bias),
              "one_query_attention expects contiguous float32 CPU q [b, h, 1, d], k and v [b, h, kv, d] and bias "
              "[b, 1, 1, kv] or none; got q ",
              q.sizes(), ", k ", key.sizes(), ", v ", value.sizes());
  const int64_t batch = q.size(0), heads = q.size(1), kv_len = key.size(2), d = q.size(3);
  OneQueryAttention out;
  out.context = torch::empty({batch, 1, heads * d}, q.options());
  out.weights = torch::empty({batch, heads, 1, kv_len}, q.options());
  const float *qp = q.data_ptr<float>(), *kp = key.data_ptr<float>(), *vp = value.data_ptr<float>();
  const float* bp = bias.defined() ? bias.data_ptr<float>() : nullptr;
  float *cp = out.context.data_ptr<float>(), *wp = out.weights.data_ptr<float>();
  // Waking a second thread costs more than a few (row, head) pairs of work.
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, kv_len * d));
  at::parallel_for(0, batch * heads, grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t row = i / heads, head = i % heads;
      attend_one(qp + i * d, kp + i * kv_len * d, vp + i * kv_len * d, bp ? bp + row * kv_len : nullptr, kv_len,
                 d, wp + i * kv_len, cp + row * heads * d + head * d);
    }
  });
  return out;
}

}  // namespace crosstalk::model
