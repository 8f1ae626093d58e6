// Private to src/text: the SentencePiece backend module, loaded at run time.
#pragma once

#include "spm_backend/spm_backend.h"

namespace crosstalk::text {

/// The backend, loaded once per process (thread-safe). UserError if it cannot be loaded
/// (and again on the next call).
const spm::Backend& backend();

}  // namespace crosstalk::text
