#include "crosstalk/train/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <sstream>

#include "crosstalk/common/error.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

namespace {

void require_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw UserError("model directory is missing its " + what + ": '" + path + "' not found");
}

}  // namespace

void save_weights(model::Transformer& model, const std::string& path) {
  const std::string tmp = path + ".tmp";
  torch::save(model, tmp);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw UserError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

void load_weights(model::Transformer& model, const std::string& path) {
  require_file(path, "weights");
  // torch::load replaces tensors wholesale (set_), shapes included: check them.
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& item : model->named_parameters()) expected[item.key()] = item.value().sizes().vec();
  for (const auto& item : model->named_buffers()) expected[item.key()] = item.value().sizes().vec();
  try {
    torch::load(model, path);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw UserError("cannot load weights '" + path + "': " + what.substr(0, what.find('\n')));
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

LoadedModel load_model_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UserError("model directory '" + dir + "' does not exist");
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
