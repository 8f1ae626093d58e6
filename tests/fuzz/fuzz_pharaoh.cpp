// libFuzzer target: the Pharaoh hypothesis and gold alignment parsers
// (align::parse_pharaoh, align::parse_gold), to_pharaoh and eval::score_alignments.
//
// The input is split into lines; every line is parsed both as a hypothesis line and as a
// gold line, and checked against an independent reading of the documented grammar:
//   hypothesis token: D-D               (D: 1 to 9 ASCII digits)
//   gold token:       D-D | D-D-S | D-D-s  (sure)   D?D | D-D-P | D-D-p  (possible)
// tokens separated by C-locale whitespace. A line outside the grammar must throw
// crosstalk::UserError naming `where`; anything else that escapes is a bug. Accepted
// lines must give exactly the expected sorted, duplicate-free links, with sure links a
// subset of the possible ones (a link given both ways is sure), and to_pharaoh must read
// back to the same alignment. Gold line i is then scored against hypothesis line i + 1:
// precision, recall and AER within [0, 1] and the counts consistent.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

#include "crosstalk/eval/aer.h"
#include "crosstalk/align/alignment.h"
#include "crosstalk/common/error.h"
#include "fuzz_check.h"

namespace {

using crosstalk::UserError;
using crosstalk::align::Alignment;
using crosstalk::align::GoldAlignment;
using crosstalk::align::Link;

const std::string kWhere = "fuzz.align:7";

bool c_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::vector<std::string> tokens(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && c_space(line[i])) ++i;
    size_t j = i;
    while (j < line.size() && !c_space(line[j])) ++j;
    if (j > i) out.emplace_back(line, i, j - i);
    i = j;
  }
  return out;
}

// Reads 1..9 digits at s[*pos]; false if there are none or more than 9.
bool number(const std::string& s, size_t* pos, int64_t* value) {
  size_t i = *pos;
  int64_t v = 0;
  while (i < s.size() && digit(s[i])) {
    if (i - *pos == 9) return false;  // a 10th digit
    v = v * 10 + (s[i++] - '0');
  }
  if (i == *pos) return false;
  *pos = i;
  *value = v;
  return true;
}

enum class Kind { sure, possible };

std::optional<std::pair<Link, Kind>> expect_token(const std::string& t, bool gold) {
  size_t pos = 0;
  Link link;
  if (!number(t, &pos, &link.src) || pos == t.size()) return std::nullopt;
  const char sep = t[pos++];
  if (sep != '-' && !(gold && sep == '?')) return std::nullopt;
  if (!number(t, &pos, &link.tgt)) return std::nullopt;
  Kind kind = sep == '?' ? Kind::possible : Kind::sure;
  if (pos == t.size()) return std::make_pair(link, kind);
  if (!gold || sep != '-' || t.size() != pos + 2 || t[pos] != '-') return std::nullopt;
  const char tag = t[pos + 1];
  if (tag == 'S' || tag == 's') return std::make_pair(link, Kind::sure);
  if (tag == 'P' || tag == 'p') return std::make_pair(link, Kind::possible);
  return std::nullopt;
}

std::optional<GoldAlignment> expect_line(const std::string& line, bool gold) {
  std::set<Link> sure, possible;
  for (const auto& t : tokens(line)) {
    const auto parsed = expect_token(t, gold);
    if (!parsed) return std::nullopt;
    if (parsed->second == Kind::sure) sure.insert(parsed->first);
    possible.insert(parsed->first);
  }
  GoldAlignment out;
  out.sure.assign(sure.begin(), sure.end());
  out.possible.assign(possible.begin(), possible.end());
  return out;
}

bool sorted_unique(const Alignment& a) {
  for (size_t i = 1; i < a.size(); ++i)
    if (!(a[i - 1] < a[i])) return false;
  return true;
}

void check_user_error(const UserError& e, const std::string& line) {
  FUZZ_CHECK(std::strncmp(e.what(), kWhere.c_str(), kWhere.size()) == 0,
             "UserError does not name where: '%s' (line '%s')", e.what(), fuzz::show(line).c_str());
}

void run(const std::string& text) {
  std::vector<GoldAlignment> golds;
  std::vector<Alignment> hyps;
  for (const auto& line : fuzz::lines(text)) {
    // hypothesis
    const auto want_hyp = expect_line(line, /*gold=*/false);
    std::optional<Alignment> hyp;
    try {
      hyp = crosstalk::align::parse_pharaoh(line, kWhere);
    } catch (const UserError& e) {
      check_user_error(e, line);
    }
    FUZZ_CHECK(hyp.has_value() == want_hyp.has_value(), "parse_pharaoh %s '%s'",
               hyp ? "accepted" : "rejected", fuzz::show(line).c_str());
    if (hyp) {
      FUZZ_CHECK(*hyp == want_hyp->possible, "parse_pharaoh links differ on '%s'", fuzz::show(line).c_str());
      FUZZ_CHECK(sorted_unique(*hyp), "parse_pharaoh not sorted/unique on '%s'", fuzz::show(line).c_str());
      const std::string text_form = crosstalk::align::to_pharaoh(*hyp);
      const Alignment again = crosstalk::align::parse_pharaoh(text_form, kWhere);
      FUZZ_CHECK(again == *hyp, "to_pharaoh does not read back: '%s'", fuzz::show(text_form).c_str());
      FUZZ_CHECK(crosstalk::align::to_pharaoh(again) == text_form, "to_pharaoh not canonical");
      hyps.push_back(*hyp);
    }

    // gold
    const auto want_gold = expect_line(line, /*gold=*/true);
    std::optional<GoldAlignment> gold;
    try {
      gold = crosstalk::align::parse_gold(line, kWhere);
    } catch (const UserError& e) {
      check_user_error(e, line);
    }
    FUZZ_CHECK(gold.has_value() == want_gold.has_value(), "parse_gold %s '%s'",
               gold ? "accepted" : "rejected", fuzz::show(line).c_str());
    if (gold) {
      FUZZ_CHECK(gold->sure == want_gold->sure, "parse_gold sure links differ on '%s'", fuzz::show(line).c_str());
      FUZZ_CHECK(gold->possible == want_gold->possible, "parse_gold possible links differ on '%s'",
                 fuzz::show(line).c_str());
      FUZZ_CHECK(sorted_unique(gold->sure) && sorted_unique(gold->possible), "parse_gold not sorted/unique");
      FUZZ_CHECK(std::includes(gold->possible.begin(), gold->possible.end(), gold->sure.begin(), gold->sure.end()),
                 "sure links not a subset of possible on '%s'", fuzz::show(line).c_str());
      golds.push_back(*gold);
    }
    // A hypothesis line is a gold line too (D-D is sure).
    FUZZ_CHECK(!hyp || (gold && gold->sure == *hyp && gold->possible == *hyp),
               "hypothesis line not read the same as gold: '%s'", fuzz::show(line).c_str());
  }

  // Score gold i against hypothesis i + 1 (so that they differ).
  if (golds.empty() || hyps.empty()) return;
  std::vector<GoldAlignment> g;
  std::vector<Alignment> h;
  for (size_t i = 0; i < golds.size(); ++i) {
    g.push_back(golds[i]);
    h.push_back(hyps[(i + 1) % hyps.size()]);
  }
  const auto s = crosstalk::eval::score_alignments(g, h);
  auto unit = [](double x) { return std::isfinite(x) && x >= 0.0 && x <= 1.0; };
  FUZZ_CHECK(unit(s.precision) && unit(s.recall) && unit(s.aer), "score out of [0, 1]: %s", s.to_string().c_str());
  FUZZ_CHECK(s.sentences == static_cast<int64_t>(g.size()), "sentences");
  FUZZ_CHECK(s.hits_sure <= s.sure_links && s.hits_sure <= s.hits_possible && s.hits_possible <= s.hyp_links &&
                 s.sure_links <= s.possible_links && s.hits_sure >= 0,
             "inconsistent counts: %s (hits %lld sure, %lld possible)", s.to_string().c_str(),
             static_cast<long long>(s.hits_sure), static_cast<long long>(s.hits_possible));
  bool threw = false;
  try {
    h.pop_back();
    crosstalk::eval::score_alignments(g, h);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  FUZZ_CHECK(threw, "score_alignments accepted different sentence counts");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FUZZ_GUARD(run(fuzz::input(data, size)));
  return 0;
}
