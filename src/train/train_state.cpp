#include "crosstalk/train/train_state.h"

#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "crosstalk/common/error.h"
#include "crosstalk/store/weights.h"

namespace crosstalk::train {

namespace {
template <typename Rng>
std::string to_text(const Rng& rng) {
  std::ostringstream s;
  s << rng;
  return s.str();
}
template <typename Rng>
void from_text(const std::string& text, Rng* rng) {
  std::istringstream s(text);
  s >> *rng;
}
torch::Tensor scalar(int64_t v) { return torch::tensor({v}, torch::kLong); }
torch::Tensor scalar(double v) { return torch::tensor({v}, torch::kDouble); }
}  // namespace

void write_train_state(torch::serialize::OutputArchive& archive, const TrainState& state) {
  archive.write("step", scalar(state.step));
  archive.write("epoch", scalar(state.epoch));
  archive.write("batch_in_epoch", scalar(state.batch_in_epoch));
  archive.write("train_seconds", scalar(state.train_seconds));
  archive.write("tgt_tokens", scalar(state.tgt_tokens));
  archive.write("validations", scalar(state.validations));
  archive.write("best_bleu", scalar(state.best_bleu));
  archive.write("best_step", scalar(state.best_step));
  archive.write("bad_validations", scalar(state.bad_validations));
  archive.write("epoch_rng", c10::IValue(to_text(state.epoch_rng)));
  archive.write("rng", c10::IValue(to_text(state.rng)));
  auto generator = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("torch_rng", generator.get_state());
  }
}

void save_train_state(const std::string& path, const TrainState& state) {
  torch::serialize::OutputArchive archive;
  write_train_state(archive, state);
  store::write_archive_atomic(archive, path);
}

TrainState read_train_state(torch::serialize::InputArchive& archive, const std::string& origin) {
  TrainState state;
  try {
    auto read_int = [&](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t.item<int64_t>();
    };
    auto read_double = [&](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t.item<double>();
    };
    auto read_text = [&](const char* key) {
      c10::IValue v;
      archive.read(key, v);
      return v.toStringRef();
    };
    state.step = read_int("step");
    state.epoch = read_int("epoch");
    state.batch_in_epoch = read_int("batch_in_epoch");
    state.train_seconds = read_double("train_seconds");
    state.tgt_tokens = read_int("tgt_tokens");
    state.validations = read_int("validations");
    state.best_bleu = read_double("best_bleu");
    state.best_step = read_int("best_step");
    state.bad_validations = read_int("bad_validations");
    from_text(read_text("epoch_rng"), &state.epoch_rng);
    from_text(read_text("rng"), &state.rng);
    torch::Tensor torch_rng;
    archive.read("torch_rng", torch_rng);
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(torch_rng);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw UserError("cannot resume from '" + origin + "': " + what.substr(0, what.find('\n')));
  }
  if (state.step < 0 || state.epoch < 1 || state.batch_in_epoch < 0 || state.tgt_tokens < 0 ||
      !(state.train_seconds >= 0))
    throw UserError("cannot resume from '" + origin + "': its training state is corrupt");
  return state;
}

TrainState load_train_state(const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const std::exception& e) {
    std::string what = e.what();
    throw UserError("cannot resume from '" + path + "': " + what.substr(0, what.find('\n')));
  }
  return read_train_state(archive, path);
}

}  // namespace crosstalk::train
