#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "commands/attention_output.h"
#include "crosstalk/align/symmetrize.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/store/loaded_model.h"
#include "crosstalk/text/line_reader.h"

namespace crosstalk::app {

/// What `crosstalk translate` does with piped input or --input: read `chunk` lines,
/// translate them in length-sorted batches, write one line per input line (or the
/// n-best lines) in the input order, flushed after each chunk.
struct StreamSettings {
  search::DecodeOptions decode;
  int64_t chunk = 2000;
  bool alignment = false;        // append " ||| <Pharaoh>"
  bool keep_hypotheses = false;  // for --ref
  /// --reverse-model: each translation is force-aligned by this target->source model
  /// (translation as its source, the input line as its target) and the alignment written
  /// is the symmetrized one. Null: the forward model's own links.
  store::LoadedModel* reverse = nullptr;
  align::SymmetrizeMethod method = align::kDefaultSymmetrizeMethod;
  int64_t reverse_batch_size = 32;  // pairs force-aligned together
  /// --prefix-file: one target prefix per input line (line-aligned, blank = none); each
  /// translation starts with its prefix and the model completes it. Null: no prefixes.
  text::LineReader* prefixes = nullptr;
};

struct StreamResult {
  int64_t lines = 0;      // input lines translated and written
  int64_t empty = 0;      // of which blank (left blank)
  int64_t generated = 0;  // pieces generated, EOS included
  int64_t prefixed = 0;   // lines translated with a non-blank prefix
  double seconds = 0.0;   // in the search
  bool interrupted = false;
  std::vector<std::string> hypotheses;  // with keep_hypotheses
};

/// Translates every line of `reader` onto `out`. Ctrl-C or SIGTERM (an InterruptScope
/// is alive meanwhile) stops it between batches: the translations of the lines before
/// the first untranslated one are written, whole lines only, and flushed, and the
/// result says interrupted. Sources longer than the model's position table are
/// translated from their first pieces with a warning ("truncated", the line number).
StreamResult translate_stream(text::LineReader& reader, std::ostream& out, search::Translator& translator,
                              const StreamSettings& settings, const AttentionFlags& flags);

}  // namespace crosstalk::app
