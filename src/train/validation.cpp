#include "crosstalk/train/validation.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "crosstalk/common/interrupt.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/text/vocab.h"
#include "crosstalk/train/loss.h"

namespace crosstalk::train {

BatchLoss batch_loss(model::Transformer& model, const Batch& batch, double label_smoothing,
                     const GuidedAlignmentOptions* guided) {
  const bool guide = guided != nullptr && batch.alignment.defined();
  auto encoded = model->encode(batch.src);
  auto decoded = model->decode(batch.tgt_in, encoded, guide);
  auto hidden = decoded.hidden;                                       // [batch, tgt_len, d_model]
  const int64_t d = hidden.size(-1);
  auto flat_target = batch.tgt_out.reshape({-1});                     // [batch * tgt_len]
  auto keep = flat_target.ne(text::kPadId).nonzero().squeeze(1);      // [tokens]
  auto logits = model->project(hidden.reshape({-1, d}).index_select(0, keep));  // [tokens, vocab]
  auto out = label_smoothed_cross_entropy(logits, flat_target.index_select(0, keep), label_smoothing);
  BatchLoss result;
  result.loss = out.loss;
  result.nll = out.nll;
  result.tokens = out.tokens;
  if (guide) {
    auto attention = guided_attention(decoded.cross_attention, guided->attention);  // [batch, tgt_len, src_len]
    result.alignment_loss = guided_alignment_loss(attention, batch.alignment);
    result.aligned_rows = batch.aligned_rows;
  }
  return result;
}

ValidationResult validate(model::Transformer& model, const std::vector<Example>& examples,
                          int64_t max_tokens, double label_smoothing, search::Translator& translator,
                          const std::vector<std::string>& sources,
                          const std::vector<std::string>& references) {
  model->eval();
  torch::NoGradGuard no_grad;
  ValidationResult result;
  double loss_sum = 0.0, nll_sum = 0.0;
  const auto device = model->parameters().front().device();
  for (const auto& indices : make_batches(examples, max_tokens, nullptr)) {
    auto batch = collate(examples, indices, text::kPadId, text::kBosId, text::kEosId, device);
    if (interrupt_requested()) {
      result.interrupted = true;
      return result;
    }
    auto out = batch_loss(model, batch, label_smoothing);
    loss_sum += out.loss.item<double>();
    nll_sum += out.nll.item<double>();
    result.tokens += out.tokens;
  }
  if (result.tokens > 0) {
    result.loss = loss_sum / static_cast<double>(result.tokens);
    result.nll = nll_sum / static_cast<double>(result.tokens);
    result.ppl = std::exp(result.nll);
  }
  if (!sources.empty()) {
    search::DecodeOptions decode;
    // In chunks, so that an interrupt waits for one chunk at most.
    constexpr size_t kChunk = 256;
    std::vector<std::string> hyps;
    for (size_t begin = 0; begin < sources.size(); begin += kChunk) {
      if (interrupt_requested()) {
        result.interrupted = true;
        return result;
      }
      const auto end = std::min(sources.size(), begin + kChunk);
      for (auto& t : translator.translate({sources.begin() + begin, sources.begin() + end}, decode)) {
        result.bleu_truncated += t.truncated ? 1 : 0;
        hyps.push_back(std::move(t.text));
      }
    }
    result.bleu = eval::corpus_bleu(hyps, references).score;
    result.bleu_lines = static_cast<int64_t>(sources.size());
  }
  return result;
}

}  // namespace crosstalk::train
