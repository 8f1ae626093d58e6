#pragma once

#include "commands/attention_output.h"
#include "crosstalk/search/translator.h"

namespace crosstalk::app {

/// The interactive translator: a prompt, one translation per line typed, and the
/// commands :align on|color|off (terminal heatmap of each translation), :save PATH
/// (the last translation's heatmap as SVG and/or PNG), :help and :quit.
/// show_alignment appends " ||| <Pharaoh alignment>" to each translation.
void run_interactive(search::Translator& translator, search::DecodeOptions decode, const AttentionFlags& flags,
                     bool show_alignment);

}  // namespace crosstalk::app
