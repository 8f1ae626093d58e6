#pragma once

#include <string>

#include "crosstalk/common/utf8.h"  // decode_utf8 / encode_utf8, used with these

namespace crosstalk::eval {

/// sacreBLEU's default BLEU tokenizer ("13a", mteval-v13a.pl), exactly as
/// sacrebleu/tokenizers/tokenizer_13a.py (2.5): drops "<skipped>" and "-\n", turns
/// "\n" into a space, unescapes &quot; &amp; &lt; &gt;, splits off ASCII punctuation
/// and symbols, splits '.' and ',' unless they sit between digits, splits '-' after a
/// digit, then collapses whitespace (Python's str.split(): Unicode whitespace).
/// Input and output are UTF-8; tokens are joined by single spaces, no leading or
/// trailing space. Note sacreBLEU's BLEU also strips trailing whitespace (str.rstrip())
/// before calling the tokenizer; corpus_bleu does that, this function does not.
std::string tokenize_13a(const std::string& line);

// ---- Python str semantics shared by the eval metrics ---------------------------------

/// True for exactly the characters Python 3's str.isspace() accepts, which are the ones
/// str.split() and str.rstrip() (no arguments) treat as whitespace.
bool is_python_space(char32_t c);

}  // namespace crosstalk::eval
