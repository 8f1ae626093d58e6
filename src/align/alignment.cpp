#include "crosstalk/align/alignment.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "crosstalk/common/error.h"

namespace crosstalk::align {

namespace {

void normalize(Alignment* a) {
  std::sort(a->begin(), a->end());
  a->erase(std::unique(a->begin(), a->end()), a->end());
}

bool parse_index(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  *out = std::stoll(s);
  return true;
}

[[noreturn]] void bad_token(const std::string& where, const std::string& token, const std::string& expected) {
  throw UserError(where + ": bad alignment link '" + token + "' (expected " + expected + ")");
}

enum class Kind { sure, possible };

// "i-j", "i?j", "i-j-S", "i-j-P" -> link and kind; a hypothesis (gold = false) accepts "i-j" only.
Link parse_link(const std::string& token, const std::string& where, bool gold, Kind* kind) {
  const std::string expected = gold ? "i-j, i?j, i-j-S or i-j-P with 0-based word indices"
                                    : "i-j with 0-based word indices, source first";
  *kind = Kind::sure;
  std::string a, b, tag;
  const auto sep = token.find_first_of("-?");
  if (sep == std::string::npos) bad_token(where, token, expected);
  const char sep_char = token[sep];
  if (sep_char == '?' && !gold) bad_token(where, token, expected);
  a = token.substr(0, sep);
  b = token.substr(sep + 1);
  const auto second = b.find('-');
  if (second != std::string::npos) {
    if (!gold || sep_char != '-') bad_token(where, token, expected);
    tag = b.substr(second + 1);
    b = b.substr(0, second);
    if (tag == "P" || tag == "p") {
      *kind = Kind::possible;
    } else if (tag != "S" && tag != "s") {
      bad_token(where, token, expected);
    }
  }
  if (sep_char == '?') *kind = Kind::possible;
  Link link;
  if (!parse_index(a, &link.src) || !parse_index(b, &link.tgt)) bad_token(where, token, expected);
  return link;
}

}  // namespace

Alignment extract_alignment(const LabeledMatrix& words, int64_t src_words, int64_t tgt_words,
                            const ExtractOptions& options) {
  if (src_words > words.n_cols() || tgt_words > words.n_rows() || src_words < 0 || tgt_words < 0)
    throw std::invalid_argument("extract_alignment: " + std::to_string(tgt_words) + " x " +
                                std::to_string(src_words) + " words do not fit a " +
                                std::to_string(words.n_rows()) + " x " + std::to_string(words.n_cols()) + " matrix");
  Alignment out;
  if (src_words == 0) return out;
  for (int64_t t = 0; t < tgt_words; ++t) {
    if (options.threshold <= 0.0) {
      int64_t best = 0;
      for (int64_t s = 1; s < src_words; ++s)
        if (words.at(t, s) > words.at(t, best)) best = s;
      out.push_back({best, t});
      continue;
    }
    double total = 0.0;
    for (int64_t s = 0; s < src_words; ++s) total += words.at(t, s);
    if (total <= 0.0) continue;
    for (int64_t s = 0; s < src_words; ++s)
      if (words.at(t, s) / total >= options.threshold) out.push_back({s, t});
  }
  normalize(&out);
  return out;
}

std::string to_pharaoh(const Alignment& alignment) {
  Alignment sorted = alignment;
  normalize(&sorted);
  std::string out;
  for (const auto& link : sorted) {
    if (!out.empty()) out += ' ';
    out += std::to_string(link.src) + "-" + std::to_string(link.tgt);
  }
  return out;
}

Alignment parse_pharaoh(const std::string& line, const std::string& where) {
  Alignment out;
  std::istringstream in(line);
  std::string token;
  Kind kind;
  while (in >> token) out.push_back(parse_link(token, where, /*gold=*/false, &kind));
  normalize(&out);
  return out;
}

GoldAlignment parse_gold(const std::string& line, const std::string& where) {
  GoldAlignment gold;
  std::istringstream in(line);
  std::string token;
  Kind kind;
  while (in >> token) {
    const Link link = parse_link(token, where, /*gold=*/true, &kind);
    if (kind == Kind::sure) gold.sure.push_back(link);
    gold.possible.push_back(link);
  }
  normalize(&gold.sure);
  normalize(&gold.possible);
  return gold;
}

}  // namespace crosstalk::align
