#pragma once

// An exponential moving average of the weights during training (Marian's
// --exponential-smoothing, fairseq's --ema-decay): the model that is validated and
// saved as best.pt when --ema-decay is set, while the optimizer trains the raw weights.

#include <torch/torch.h>

#include <cstdint>

#include "crosstalk/model/transformer.h"

namespace crosstalk::train {

/// The decay applied after update `step` (1-based): min(decay, (1 + step) / (10 + step)),
/// so that the first updates are not averaged with the random initialization (the
/// warm-up of TensorFlow's ExponentialMovingAverage with num_updates). For short runs the
/// ramp decides: after 900 updates it is 0.990, an average over about the last 100.
double ema_decay_at(double decay, int64_t step);

class WeightAverage {
 public:
  /// A copy of `model`'s weights (parameters and buffers), kept in eval mode.
  WeightAverage(model::Transformer& model, double decay);

  /// After optimizer update `step`: average <- d average + (1 - d) weights, d = ema_decay_at.
  void update(model::Transformer& model, int64_t step);

  /// The averaged model: validate, translate and save it like any model.
  model::Transformer& model() { return average_; }

 private:
  model::Transformer average_{nullptr};
  double decay_;
};

}  // namespace crosstalk::train
