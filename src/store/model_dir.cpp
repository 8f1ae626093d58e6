// The files of a model directory (store/model_dir.h).
#include "crosstalk/store/model_dir.h"

#include <filesystem>

#include "crosstalk/common/error.h"

namespace crosstalk::store {

void require_model_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw UserError("model directory is missing its " + what + ": '" + path + "' not found");
}

}  // namespace crosstalk::store
