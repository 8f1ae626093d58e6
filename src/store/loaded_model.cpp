// Loading a model directory for translation (store/loaded_model.h).
#include "crosstalk/store/loaded_model.h"

#include <filesystem>

#include "crosstalk/common/error.h"
#include "crosstalk/store/model_config.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/store/weights.h"

namespace crosstalk::store {

namespace fs = std::filesystem;

LoadedModel load_model_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw UserError("model directory '" + dir + "' " +
                    (fs::exists(dir, ec) ? "is not a directory (--model takes the directory that train wrote)"
                                         : "does not exist"));
  ModelDir files(dir);
  require_model_file(files.config(), "hyper-parameters (config.toml)");
  require_model_file(files.vocab(), "SentencePiece model (spm.model)");
  LoadedModel loaded;
  loaded.weights = fs::is_regular_file(files.best(), ec) ? files.best() : files.last();
  require_model_file(loaded.weights, "weights (best.pt or last.pt)");
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

}  // namespace crosstalk::store
