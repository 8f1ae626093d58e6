#include "crosstalk/search/prefix.h"

#include <algorithm>

namespace crosstalk::search {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

const char* const kWordStart = "\xE2\x96\x81";  // U+2581, SentencePiece's word boundary

// The special ids come first: pad, unk, BOS, EOS (text/vocab.h). They never spell text.
constexpr int kFirstNormalId = text::kEosId + 1;

}  // namespace

TargetPrefix make_target_prefix(const text::Vocab& vocab, const std::string& text) {
  TargetPrefix out;
  size_t begin = 0;
  while (begin < text.size() && is_space(text[begin])) ++begin;
  if (begin == text.size()) return out;
  const std::string t = text.substr(begin);
  std::string complete, partial;
  if (is_space(t.back())) {
    complete = t;
    out.spell = kWordStart;  // the next piece starts a new word
  } else {
    size_t cut = t.size();
    while (cut > 0 && !is_space(t[cut - 1])) --cut;
    complete = t.substr(0, cut);
    partial = t.substr(cut);
  }
  size_t end = complete.size();
  while (end > 0 && is_space(complete[end - 1])) --end;
  out.words = complete.substr(0, end);
  for (int id : vocab.encode(complete)) out.forced.push_back(id);
  if (!partial.empty()) {
    // The partial word as SentencePiece writes it at a word start (normalized, with "▁").
    for (const auto& piece : vocab.encode_pieces(partial)) out.spell += piece;
  }
  return out;
}

PieceSpeller::PieceSpeller(const text::Vocab& vocab) : pieces_(static_cast<size_t>(vocab.size())) {
  for (int id = kFirstNormalId; id < vocab.size(); ++id) {
    auto p = vocab.piece(id);
    const bool control = p.size() > 2 && p.front() == '<' && p.back() == '>';  // <0x41> bytes, user controls
    if (!control) pieces_[static_cast<size_t>(id)] = std::move(p);
  }
}

std::string PieceSpeller::remaining(const TargetPrefix& prefix, const std::vector<int64_t>& tokens) const {
  std::string rem = prefix.spell;
  for (size_t i = prefix.forced.size(); i < tokens.size() && !rem.empty(); ++i) {
    const std::string& p = text(tokens[i]);
    if (!p.empty() && starts_with(rem, p)) {
      rem.erase(0, p.size());
    } else {
      rem.clear();  // this piece completed the spelling (or the rule was lifted)
    }
  }
  return rem;
}

PieceSpeller::Next PieceSpeller::next(const TargetPrefix& prefix, const std::vector<int64_t>& tokens) const {
  Next n;
  if (tokens.size() < prefix.forced.size()) {
    n.rule = Rule::kForced;
    n.forced_id = prefix.forced[tokens.size()];
    return n;
  }
  const std::string rem = remaining(prefix, tokens);
  if (rem.empty()) return n;
  for (size_t id = 0; id < pieces_.size(); ++id) {
    const std::string& p = pieces_[id];
    if (!p.empty() && (starts_with(p, rem) || starts_with(rem, p))) n.allowed.push_back(static_cast<int64_t>(id));
  }
  if (n.allowed.empty()) {
    n.unspellable = true;
    return n;
  }
  n.rule = Rule::kSpell;
  return n;
}

const std::string& PieceSpeller::text(int64_t id) const {
  static const std::string none;
  return id >= 0 && static_cast<size_t>(id) < pieces_.size() ? pieces_[static_cast<size_t>(id)] : none;
}

bool PieceSpeller::starts_word(int64_t id) const { return starts_with(text(id), kWordStart); }

}  // namespace crosstalk::search
