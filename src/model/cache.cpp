#include "crosstalk/model/cache.h"

namespace crosstalk::model {

namespace {
void select_rows(KeyValue* kv, const torch::Tensor& index) {
  if (!kv->defined()) return;
  kv->key = kv->key.index_select(0, index);
  kv->value = kv->value.index_select(0, index);
  if (kv->bias.defined()) kv->bias = kv->bias.index_select(0, index);
}
}  // namespace

void DecoderCache::reorder(const torch::Tensor& index) {
  TORCH_CHECK(index.dim() == 1 && index.scalar_type() == torch::kLong,
              "DecoderCache::reorder expects a 1-D int64 index");
  for (auto& layer : layers) {
    select_rows(&layer.self, index);
    select_rows(&layer.cross, index);
  }
}

void DecoderCache::reorder_self(const torch::Tensor& index) {
  TORCH_CHECK(index.dim() == 1 && index.scalar_type() == torch::kLong,
              "DecoderCache::reorder_self expects a 1-D int64 index");
  for (auto& layer : layers) select_rows(&layer.self, index);
}

}  // namespace crosstalk::model
