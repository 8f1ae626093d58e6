// The single-file checkpoint (last.pt): round trip, the legacy layout, and
// truncated or corrupt model-directory files, which must give a UserError (or
// load) but never crash or hang.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "checkpoint_fixture.h"
#include "crosstalk/common/atomic_file.h"
#include "crosstalk/train/adam.h"
#include "crosstalk/store/loaded_model.h"
#include "crosstalk/store/model_config.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/store/weights.h"
#include "crosstalk/train/checkpoint.h"
#include "crosstalk/train/train_state.h"

using namespace crosstalk::store;
using namespace crosstalk::train;

namespace {

struct Trained {
  Transformer model{nullptr};
  std::unique_ptr<FusedAdam> optimizer;
  TrainState state;
};

// A differentiable scalar of the model's output on probe()'s input.
torch::Tensor loss_of(Transformer& model) {
  auto src = torch::tensor({5, 6, 7, 8, 3, 9, 10, 3, 0, 0}, torch::kLong).view({2, 5});
  auto tgt = torch::tensor({2, 11, 12, 13, 2, 14, 0, 0}, torch::kLong).view({2, 4});
  return model->forward(src, tgt).pow(2).mean();
}

// A model after two Adam steps, so that the optimizer has state to lose.
Trained trained(const ModelOptions& options) {
  Trained t;
  t.model = make_model(options, 3);
  t.model->train();
  t.optimizer = std::make_unique<FusedAdam>(t.model->parameters(), torch::optim::AdamOptions(1e-2));
  for (int i = 0; i < 2; ++i) {
    t.optimizer->zero_grad();
    loss_of(t.model).backward();
    t.optimizer->step();
  }
  t.state.step = 2;
  t.state.epoch = 1;
  t.state.batch_in_epoch = 2;
  t.state.best_bleu = 12.5;
  t.state.rng.seed(99);
  t.state.rng.discard(7);
  t.model->eval();  // from here on deterministic (no dropout)
  return t;
}

ModelDir complete_dir(const std::string& name, const ModelOptions& options) {
  ModelDir dir(fresh_dir(name).string());
  write_model_config(dir.config(), options);
  fs::copy_file(toy_vocab_file(), dir.vocab());
  auto t = trained(options);
  save_checkpoint(dir, t.model, *t.optimizer, t.state);
  save_weights(t.model, dir.best());
  return dir;
}

std::string bytes_of(const std::string& path) { return crosstalk::read_file_bytes(path); }
void put_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Cut points: the start, the end, and `n` spread over the file.
std::vector<size_t> offsets(size_t size, size_t n) {
  std::vector<size_t> out = {0, 1, size / 2, size > 0 ? size - 1 : 0};
  for (size_t i = 1; i < n; ++i) out.push_back(size * i / n);
  return out;
}

// Loading as translate and as --resume do: a UserError or success, nothing else.
// What loads must also run: a translation-sized forward pass and an encode.
void check_loads_or_user_error(const ModelDir& dir, const ModelOptions& options, const std::string& what) {
  auto t = capture([&] {
    auto loaded = load_model_dir(dir.path);
    loaded.vocab.encode("der hund mag die katze");
    probe(loaded.model);
  });
  INFO(what << ": " << t.message);
  CHECK((t.user_error || t.message == "(nothing thrown)"));
  auto r = capture([&] {
    auto model = make_model(options, 1);
    FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
    load_checkpoint(dir, model, optimizer);
  });
  INFO(what << " (resume): " << r.message);
  CHECK((r.user_error || r.message == "(nothing thrown)"));
}

}  // namespace

TEST_CASE("checkpoint: one file restores weights, optimizer and state exactly", "[checkpoint]") {
  const auto options = tiny_options(true, false, toy_vocab().size());
  const auto dir = complete_dir("unit", options);
  auto saved = trained(options);
  auto model = make_model(options, 77);
  FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  const auto state = load_checkpoint(dir, model, optimizer);
  CHECK(state.step == 2);
  CHECK(state.batch_in_epoch == 2);
  CHECK(state.best_bleu == 12.5);
  CHECK(state.rng == saved.state.rng);
  for (size_t i = 0; i < model->parameters().size(); ++i)
    CHECK(torch::equal(model->parameters()[i], saved.model->parameters()[i]));
  // The optimizer continues identically: one more step on both.
  auto step = [](Transformer& m, torch::optim::Optimizer& o) {
    o.zero_grad();
    loss_of(m).backward();
    o.step();
  };
  step(model, optimizer);
  step(saved.model, *saved.optimizer);
  for (size_t i = 0; i < model->parameters().size(); ++i)
    CHECK(torch::equal(model->parameters()[i], saved.model->parameters()[i]));
  // last.pt is also plain weights for translate, and no other part exists.
  CHECK_NOTHROW(load_model_dir(dir.path));
  CHECK_FALSE(fs::exists(dir.legacy_optimizer()));
  CHECK_FALSE(fs::exists(dir.legacy_state()));
}

TEST_CASE("checkpoint: the legacy three-file layout resumes and a truncated legacy optimizer says what to do", "[checkpoint]") {
  const auto options = tiny_options(true, false, toy_vocab().size());
  ModelDir dir(fresh_dir("legacy").string());
  write_model_config(dir.config(), options);
  fs::copy_file(toy_vocab_file(), dir.vocab());
  auto t = trained(options);
  save_weights(t.model, dir.last());
  torch::save(*t.optimizer, dir.legacy_optimizer());
  save_train_state(dir.legacy_state(), t.state);

  auto model = make_model(options, 5);
  FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  CHECK(load_checkpoint(dir, model, optimizer).step == 2);
  CHECK(torch::equal(probe(model), probe(t.model)));

  const auto bytes = bytes_of(dir.legacy_optimizer());
  put_bytes(dir.legacy_optimizer(), bytes.substr(0, bytes.size() / 2));  // the kill-during-save of old versions
  auto e = capture([&] { load_checkpoint(dir, model, optimizer); });
  CHECK(e.user_error);
  CHECK_THAT(e.message, Catch::Contains("last.optimizer.pt") && Catch::Contains("new run"));

  // The next save converts the directory: one file, the legacy parts gone.
  save_checkpoint(dir, t.model, *t.optimizer, t.state);
  CHECK_FALSE(fs::exists(dir.legacy_optimizer()));
  CHECK_FALSE(fs::exists(dir.legacy_state()));
  CHECK(load_checkpoint(dir, model, optimizer).step == 2);
}

TEST_CASE("checkpoint: truncated and corrupt files give a UserError, never a crash", "[checkpoint]") {
  const auto options = tiny_options(true, false, toy_vocab().size());
  const auto dir = complete_dir("corrupt", options);
  std::mt19937 rng(2024);
  for (const auto& name : {std::string("last.pt"), std::string("best.pt"), std::string("spm.model"),
                           std::string("config.toml")}) {
    const std::string path = dir.path + "/" + name;
    const auto original = bytes_of(path);
    // Truncations at 40 offsets, then 40 random single-byte flips and 10 random 16-byte overwrites.
    for (const auto cut : offsets(original.size(), 40)) {
      put_bytes(path, original.substr(0, cut));
      check_loads_or_user_error(dir, options, name + " cut at " + std::to_string(cut));
    }
    std::uniform_int_distribution<size_t> where(0, original.size() - 1);
    for (int i = 0; i < 50; ++i) {
      auto bytes = original;
      const size_t at = where(rng);
      const size_t len = i < 40 ? 1 : std::min<size_t>(16, bytes.size() - at);
      for (size_t k = 0; k < len; ++k) bytes[at + k] = static_cast<char>(bytes[at + k] ^ (0x5a + i));
      put_bytes(path, bytes);
      check_loads_or_user_error(dir, options, name + " flipped at " + std::to_string(at));
    }
    put_bytes(path, original);
  }
  // The legacy optimizer and state files, truncated.
  auto t = trained(options);
  save_weights(t.model, dir.last());
  torch::save(*t.optimizer, dir.legacy_optimizer());
  save_train_state(dir.legacy_state(), t.state);
  for (const auto& path : {dir.legacy_optimizer(), dir.legacy_state()}) {
    const auto original = bytes_of(path);
    for (const auto cut : offsets(original.size(), 20)) {
      put_bytes(path, original.substr(0, cut));
      check_loads_or_user_error(dir, options, path + " cut at " + std::to_string(cut));
    }
    put_bytes(path, original);
  }
}

TEST_CASE("checkpoint: the weight average (--ema-decay) comes back exactly, and a checkpoint without one says so",
          "[checkpoint]") {
  const auto options = tiny_options(true, false, toy_vocab().size());
  const auto dir = complete_dir("average", options);  // saved without an average
  auto average = make_model(options, 5);
  CHECK_FALSE(load_weight_average(dir, average));
  auto t = trained(options);
  auto saved_average = make_model(options, 6);
  save_checkpoint(dir, t.model, *t.optimizer, t.state, &saved_average);
  REQUIRE(load_weight_average(dir, average));
  for (size_t i = 0; i < average->parameters().size(); ++i)
    CHECK(torch::equal(average->parameters()[i], saved_average->parameters()[i]));
  // The top level is still the trained weights: translate and --resume read those.
  auto model = make_model(options, 7);
  FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  load_checkpoint(dir, model, optimizer);
  for (size_t i = 0; i < model->parameters().size(); ++i)
    CHECK(torch::equal(model->parameters()[i], t.model->parameters()[i]));
}
