#pragma once

// Prefix-constrained decoding: the output starts with a target prefix the user typed,
// and the model completes it. A prefix may end inside a word ("A ma"): its last word is
// not forced as pieces but spelled, so that the next pieces are those whose text continues
// it as SentencePiece would segment the completed word ("▁man", "▁mask", or "▁m" "a" "sk").

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/text/vocab.h"

namespace crosstalk::search {

/// One sentence's target prefix, in pieces.
struct TargetPrefix {
  std::string words;            // its complete words, as typed (leading and trailing spaces trimmed)
  std::vector<int64_t> forced;  // the pieces of its complete words, as SentencePiece segments them
  /// What the next pieces must spell, in piece text ("▁ma" after "A ma"; "▁" after a trailing
  /// space: the next piece starts a word); empty: nothing, the completion is free.
  std::string spell;
  bool empty() const { return forced.empty() && spell.empty(); }
};

/// The prefix of `text` (UTF-8, as the user typed it; leading spaces ignored) for `vocab`.
/// Its last word counts as complete only when a space follows it.
TargetPrefix make_target_prefix(const text::Vocab& vocab, const std::string& text);

/// The pieces of a vocabulary as text, for spelling. The special ids (pad, unk, BOS, EOS)
/// and pieces that are not plain text (<...> controls, byte pieces) never spell.
class PieceSpeller {
 public:
  explicit PieceSpeller(const text::Vocab& vocab);

  /// After `tokens` (the hypothesis so far), which pieces may come next:
  /// kFree (any), kForced (only `forced_id`), or kSpell (only those in `allowed`).
  enum class Rule { kFree, kForced, kSpell };
  struct Next {
    Rule rule = Rule::kFree;
    int64_t forced_id = -1;
    std::vector<int64_t> allowed;  // kSpell: pieces that continue or complete the spelling
    bool unspellable = false;      // no piece continues the spelling (a character the vocabulary
                                   // lacks): the rule is kFree, and the caller warns and counts
  };
  Next next(const TargetPrefix& prefix, const std::vector<int64_t>& tokens) const;

  /// The text of piece `id` ("▁man"); "" for the ids that never spell (specials, controls).
  const std::string& text(int64_t id) const;
  /// Whether piece `id` begins a word (its text starts with "▁").
  bool starts_word(int64_t id) const;

 private:
  /// What of `prefix.spell` is still to spell after `tokens`; empty once it is spelled.
  std::string remaining(const TargetPrefix& prefix, const std::vector<int64_t>& tokens) const;
  std::vector<std::string> pieces_;  // "" for ids that never spell
};

}  // namespace crosstalk::search
