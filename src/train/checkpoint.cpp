#include "crosstalk/train/checkpoint.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

namespace {

void require_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw UserError("model directory is missing its " + what + ": '" + path + "' not found");
}


std::string first_line(const std::exception& e) {
  const c10::Error* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string what = c10_error ? c10_error->what_without_backtrace() : e.what();
  return what.substr(0, what.find('\n'));
}

torch::serialize::InputArchive open_archive(const std::string& path, const std::string& what) {
  require_file(path, what);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const std::exception& e) {
    throw UserError("cannot load " + what + " '" + path + "' (truncated or corrupt?): " + first_line(e));
  }
  return archive;
}

// Reads the module's tensors from `archive`, checking every shape against the model.
void read_weights(model::Transformer& model, torch::serialize::InputArchive& archive, const std::string& path) {
  // Module::load replaces tensors wholesale (set_), shapes included: check them.
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& item : model->named_parameters()) expected[item.key()] = item.value().sizes().vec();
  for (const auto& item : model->named_buffers()) expected[item.key()] = item.value().sizes().vec();
  try {
    model->load(archive);
  } catch (const std::exception& e) {
    throw UserError("cannot load weights '" + path + "': " + first_line(e));
  }
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    const auto it = expected.find(name);
    if (it != expected.end() && it->second != t.sizes().vec()) {
      std::ostringstream m;
      m << "weights '" << path << "' do not fit this model: '" << name << "' has shape " << t.sizes()
        << " in the file but " << c10::IntArrayRef(it->second) << " in the model (config.toml and weights disagree)";
      throw UserError(m.str());
    }
  };
  for (const auto& item : model->named_parameters()) check(item.key(), item.value());
  for (const auto& item : model->named_buffers()) check(item.key(), item.value());
}

const char* const kCheckpointFormat = "crosstalk-checkpoint-1";

TrainState load_legacy_parts(const ModelDir& dir, torch::optim::Optimizer& optimizer) {
  const std::string advice =
      " This model directory was written by an older crosstalk; its weights still translate, but to go on "
      "training start a new run in another --model-dir.";
  std::error_code ec;
  if (!fs::is_regular_file(dir.legacy_optimizer(), ec) || !fs::is_regular_file(dir.legacy_state(), ec))
    throw UserError("'" + dir.last() + "' holds weights only and the optimizer/state files beside it are missing, "
                    "so there is nothing to resume." + advice);
  try {
    torch::load(optimizer, dir.legacy_optimizer());
  } catch (const std::exception& e) {
    throw UserError("cannot load optimizer state '" + dir.legacy_optimizer() + "' (truncated: cut short by a kill "
                    "during a save?)." + advice);
  }
  return load_train_state(dir.legacy_state());
}

}  // namespace

void write_archive_atomic(torch::serialize::OutputArchive& archive, const std::string& path,
                          const std::function<void()>& before_commit) {
  write_file_atomic_with(
      path,
      [&](const ByteSink& sink) {
        archive.save_to([&](const void* data, size_t size) -> size_t {
          // Never report a short write to torch: its writer would throw again from its
          // destructor (std::terminate). The sink keeps the first error, and
          // write_file_atomic_with reports it once the archive is done.
          sink(data, size);
          return size;
        });
      },
      before_commit);
}

void pause_for_test_save_delay() {
  static const int delay_ms = [] {
    const char* v = std::getenv("CROSSTALK_TEST_SAVE_DELAY_MS");
    return v ? std::max(0, std::atoi(v)) : 0;
  }();
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
}

void save_weights(model::Transformer& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  write_archive_atomic(archive, path, pause_for_test_save_delay);
}

void load_weights(model::Transformer& model, const std::string& path) {
  auto archive = open_archive(path, "weights");
  read_weights(model, archive, path);
}

void save_checkpoint(const ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer,
                     const TrainState& state) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  archive.write("crosstalk_checkpoint", c10::IValue(std::string(kCheckpointFormat)));
  torch::serialize::OutputArchive optimizer_part;
  optimizer.save(optimizer_part);
  archive.write("optimizer", optimizer_part);
  torch::serialize::OutputArchive state_part;
  write_train_state(state_part, state);
  archive.write("train_state", state_part);
  write_archive_atomic(archive, dir.last(), pause_for_test_save_delay);
  // The legacy parts (if this directory had them) are now stale.
  std::error_code ec;
  fs::remove(dir.legacy_optimizer(), ec);
  fs::remove(dir.legacy_state(), ec);
}

bool has_checkpoint(const ModelDir& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir.last(), ec);
}

TrainState load_checkpoint(const ModelDir& dir, model::Transformer& model, torch::optim::Optimizer& optimizer) {
  auto archive = open_archive(dir.last(), "checkpoint");
  read_weights(model, archive, dir.last());
  c10::IValue format;
  if (!archive.try_read("crosstalk_checkpoint", format)) return load_legacy_parts(dir, optimizer);
  if (!format.isString() || format.toStringRef() != kCheckpointFormat)
    throw UserError("'" + dir.last() + "' is a checkpoint in a format this crosstalk does not know");
  try {
    torch::serialize::InputArchive optimizer_part;
    archive.read("optimizer", optimizer_part);
    optimizer.load(optimizer_part);
  } catch (const std::exception& e) {
    throw UserError("cannot load the optimizer state in '" + dir.last() + "': " + first_line(e));
  }
  torch::serialize::InputArchive state_part;
  try {
    archive.read("train_state", state_part);
  } catch (const std::exception& e) {
    throw UserError("cannot load the training state in '" + dir.last() + "': " + first_line(e));
  }
  return read_train_state(state_part, dir.last());
}

LoadedModel load_model_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw UserError("model directory '" + dir + "' " +
                    (fs::exists(dir, ec) ? "is not a directory (--model takes the directory that train wrote)"
                                         : "does not exist"));
  ModelDir files(dir);
  require_file(files.config(), "hyper-parameters (config.toml)");
  require_file(files.vocab(), "SentencePiece model (spm.model)");
  LoadedModel loaded;
  loaded.weights = fs::is_regular_file(files.best(), ec) ? files.best() : files.last();
  require_file(loaded.weights, "weights (best.pt or last.pt)");
  const auto options = read_model_config(files.config());
  loaded.vocab = text::Vocab::load(files.vocab());
  if (loaded.vocab.size() != options.vocab_size())
    throw UserError("'" + files.vocab() + "' has " + std::to_string(loaded.vocab.size()) +
                    " pieces but config.toml says vocab_size = " + std::to_string(options.vocab_size()));
  loaded.model = model::Transformer(options, text::kPadId);
  load_weights(loaded.model, loaded.weights);
  loaded.model->eval();
  return loaded;
}

}  // namespace crosstalk::train
