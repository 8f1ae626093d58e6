#pragma once

// Model weights in torch archives: written atomically, read with every name and shape
// checked against the model, so that a wrong or broken file is one clear error.

#include <torch/torch.h>

#include <functional>
#include <string>

#include "crosstalk/model/transformer.h"

namespace crosstalk::store {

/// Streams a torch archive into `path` atomically (common/atomic_file.h): a
/// failed write (disk full, EFBIG) is a UserError naming the file and leaves
/// `path` as it was. `before_commit` runs just before the rename.
void write_archive_atomic(torch::serialize::OutputArchive& archive, const std::string& path,
                          const std::function<void()>& before_commit = {});

/// The archive in `path`; UserError naming `what` and the file when it is missing,
/// truncated or corrupt.
torch::serialize::InputArchive open_archive(const std::string& path, const std::string& what);

/// Reads the model's tensors from `archive` (written from `path`), checking every
/// shape: UserError naming the file and the first tensor that does not fit.
void read_weights(model::Transformer& model, torch::serialize::InputArchive& archive, const std::string& path);

/// Weights only (best.pt). Saving is atomic. load_weights also reads the weights
/// out of a checkpoint (last.pt), whose weights sit at the archive's top level.
void save_weights(model::Transformer& model, const std::string& path);
void load_weights(model::Transformer& model, const std::string& path);

/// Pauses for CROSSTALK_TEST_SAVE_DELAY_MS milliseconds (0 when unset): tests make
/// kills land inside saves with it.
void pause_for_test_save_delay();

/// The first line of an exception's message (c10's without its backtrace).
std::string first_line(const std::exception& e);

}  // namespace crosstalk::store
