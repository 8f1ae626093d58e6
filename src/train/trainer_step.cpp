// The update of the Trainer (trainer.h): forward and backward of this rank's shards, the
// reduction over the world (with rank 0's votes), clipping and Adam.
#include <torch/torch.h>

#include <cmath>

#include "crosstalk/common/interrupt.h"
#include "crosstalk/model/dropout.h"
#include "crosstalk/train/progress.h"
#include "crosstalk/train/trainer.h"

namespace crosstalk::train {

// ---- step -----------------------------------------------------------------------------

StepResult Trainer::step(const std::vector<Batch>& shards) {
  const auto t0 = Clock::now();
  StepResult result;
  result.lr = schedule_(state_.step + 1);
  for (auto& group : optimizer_->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(result.lr);
  for (auto& p : model_->parameters()) p.mutable_grad() = torch::Tensor();  // set to none: the first backward writes
  const auto& guided = options_.guided;
  const auto sum_options = torch::TensorOptions().dtype(torch::kDouble).device(device_);
  result.loss_sum = torch::zeros({}, sum_options);
  result.alignment_loss_sum = torch::zeros({}, sum_options);
  for (size_t i = 0; i < shards.size(); ++i) {
    const auto& batch = shards[i];
    if (batch.sentences == 0) continue;  // an empty shard: zero gradients, it still joins the reduction
    // The masks of an example depend on (seed, update, batch of the update, example), not on the rank.
    model::KeyedDropoutScope dropout(model::dropout_key(options_.seed, state_.step + 1, static_cast<int64_t>(i)),
                                     batch.example_ids);
    auto out = batch_loss(model_, batch, options_.label_smoothing, guided.enabled() ? &guided : nullptr);
    auto total = out.loss;
    if (out.alignment_loss.defined()) total = total + guided.weight * out.alignment_loss;
    total.backward();  // the sum: scaled by 1 / (the update's target tokens) once they are all counted
    result.loss_sum += out.loss.detach();
    if (out.alignment_loss.defined()) result.alignment_loss_sum += out.alignment_loss.detach();
    result.tokens += out.tokens;
    result.aligned_rows += out.aligned_rows;
  }
  result = reduce(std::move(result), t0);
  if (options_.clip_norm > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), options_.clip_norm);
  optimizer_->step();
  if (!guided.enabled()) result.alignment_loss_sum = torch::Tensor();
  state_.step++;
  if (average_) average_->update(model_, state_.step);
  state_.tgt_tokens += result.tokens;
  if (device_.is_cuda()) torch::cuda::synchronize();
  state_.train_seconds += seconds_since(t0);
  return result;
}

// Rank 0's votes, then the sums over the world (one all-reduce round with the gradient
// buckets); the gradients end up divided by the update's target tokens.
StepResult Trainer::reduce(StepResult r, const Clock::time_point& started) {
  if (world_.main()) {
    if (interrupt_requested()) r.stop = StopVote::kInterrupted;
    else if (options_.minutes > 0 && state_.train_seconds + seconds_since(started) >= options_.minutes * 60.0)
      r.stop = StopVote::kMinutes;
    r.save_due = options_.save_every_minutes > 0 && seconds_since(last_save_) >= options_.save_every_minutes * 60.0;
  }
  if (!comm_) {
    const double scale = 1.0 / static_cast<double>(std::max<int64_t>(r.tokens, 1));
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters())
      if (p.grad().defined()) p.mutable_grad().mul_(scale);
    return r;
  }
  enum Slot { kLoss, kAlignment, kTokens, kAlignedRows, kStop, kSave, kSlots };
  auto sums = torch::zeros({kSlots}, torch::TensorOptions().dtype(torch::kDouble).device(device_));
  sums[kLoss] = r.loss_sum;
  sums[kAlignment] = r.alignment_loss_sum;
  sums[kTokens] = static_cast<double>(r.tokens);
  sums[kAlignedRows] = static_cast<double>(r.aligned_rows);
  sums[kStop] = static_cast<double>(r.stop);
  sums[kSave] = r.save_due ? 1.0 : 0.0;
  const auto t = Clock::now();
  reducer_->reduce(sums, [](const torch::Tensor& s) { return 1.0 / std::max(s[kTokens].item<double>(), 1.0); });
  summary_.allreduce_seconds += seconds_since(t);
  const auto summed = sums.cpu();
  const auto* v = summed.data_ptr<double>();
  r.loss_sum = sums[kLoss];
  r.alignment_loss_sum = sums[kAlignment];
  r.tokens = static_cast<int64_t>(std::llround(v[kTokens]));
  r.aligned_rows = static_cast<int64_t>(std::llround(v[kAlignedRows]));
  r.stop = static_cast<StopVote>(std::llround(v[kStop]));  // only rank 0 votes
  r.save_due = v[kSave] > 0.5;
  return r;
}

}  // namespace crosstalk::train
