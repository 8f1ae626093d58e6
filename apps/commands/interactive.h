#pragma once

#include "commands/attention_output.h"
#include "crosstalk/search/translator.h"

namespace crosstalk::app {

/// The interactive translator: a prompt, one translation per line typed, and the
/// commands :align on|color|off (terminal heatmap of each translation), :prefix TEXT (the last
/// sentence again, its translation starting with TEXT and completed by the model), :save PATH
/// (the last translation's heatmap as SVG and/or PNG), :help and :quit.
/// show_alignment appends " ||| <Pharaoh alignment>" to each translation.
/// With `reverse` (a target->source model, translate --reverse-model) each translation is
/// force-aligned by it too and the links are symmetrized with `method`; :align then shows
/// the symmetrized map (for a hard method the mean of the two) with those links marked.
/// Lines are read as LineReader reads them (BOM and CR dropped, bad bytes replaced by
/// U+FFFD with a warning); a line that is mostly binary data is skipped with a warning.
/// Ctrl-C keeps its default behaviour here: it ends the program at once (status 130).
void run_interactive(search::Translator& translator, search::DecodeOptions decode, const AttentionFlags& flags,
                     bool show_alignment, store::LoadedModel* reverse = nullptr,
                     align::SymmetrizeMethod method = align::kDefaultSymmetrizeMethod);

}  // namespace crosstalk::app
