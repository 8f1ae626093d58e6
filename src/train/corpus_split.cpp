// Holding out a validation set from the training pairs (train --valid-size).
#include "crosstalk/train/corpus_split.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

#include "crosstalk/common/error.h"

namespace crosstalk::train {

namespace {

constexpr int64_t kAutoMax = 1000;
constexpr double kAutoFraction = 0.05;

std::string format_fraction(double f) {
  std::string s = std::to_string(f * 100.0);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s + "%";
}

}  // namespace

std::string pair_key(const std::string& src, const std::string& tgt) { return src + '\n' + tgt; }

std::string ValidSize::text() const {
  switch (kind) {
    case Kind::kAuto: return "auto";
    case Kind::kCount: return std::to_string(static_cast<int64_t>(value));
    case Kind::kFraction: return format_fraction(value);
  }
  return "auto";
}

ValidSize parse_valid_size(const std::string& text) {
  const std::string what = "--valid-size must be 'auto', a number of pairs (e.g. 500) or a fraction "
                           "(e.g. 0.05 or 5%), got '" + text + "'";
  ValidSize size;
  if (text == "auto") return size;
  if (text.empty() || text.find_first_not_of("0123456789.%") != std::string::npos) throw UserError(what);
  const bool percent = text.back() == '%';
  const std::string number = percent ? text.substr(0, text.size() - 1) : text;
  if (number.empty() || number.find('%') != std::string::npos ||
      std::count(number.begin(), number.end(), '.') > 1 || number == ".")
    throw UserError(what);
  const double v = std::stod(number);
  if (percent || number.find('.') != std::string::npos) {
    const double fraction = percent ? v / 100.0 : v;
    if (!(fraction > 0.0 && fraction < 1.0)) throw UserError(what);
    size.kind = ValidSize::Kind::kFraction;
    size.value = fraction;
    return size;
  }
  if (!(v >= 1.0) || v > 1e15) throw UserError(what);
  size.kind = ValidSize::Kind::kCount;
  size.value = v;
  return size;
}

int64_t resolve_valid_size(const ValidSize& size, int64_t pairs) {
  if (pairs < 2)
    throw UserError("the training files hold " + std::to_string(pairs) +
                    " usable sentence pair(s): too few to hold out a validation set (give --valid-src/--valid-tgt)");
  int64_t n = 0;
  switch (size.kind) {
    case ValidSize::Kind::kAuto:
      n = std::clamp<int64_t>(std::llround(kAutoFraction * static_cast<double>(pairs)), 1, kAutoMax);
      break;
    case ValidSize::Kind::kCount: n = static_cast<int64_t>(size.value); break;
    case ValidSize::Kind::kFraction:
      n = std::max<int64_t>(1, std::llround(size.value * static_cast<double>(pairs)));
      break;
  }
  if (n >= pairs)
    throw UserError("--valid-size " + size.text() + " holds out " + std::to_string(n) + " of the " +
                    std::to_string(pairs) + " usable sentence pairs: nothing is left to train on");
  return n;
}

CorpusSplit split_corpus(text::ParallelCorpus corpus, int64_t valid_pairs, uint64_t seed) {
  const size_t n = corpus.src.size();
  if (valid_pairs <= 0 || static_cast<size_t>(valid_pairs) >= n)
    throw UserError("cannot hold out " + std::to_string(valid_pairs) + " of " + std::to_string(n) + " pairs");
  // The first valid_pairs positions of a seeded Fisher-Yates shuffle (partial).
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < static_cast<size_t>(valid_pairs); ++i) {
    const size_t j = i + static_cast<size_t>(rng() % (n - i));
    std::swap(order[i], order[j]);
  }
  std::vector<char> held(n, 0);
  std::unordered_set<std::string> held_keys;
  for (size_t i = 0; i < static_cast<size_t>(valid_pairs); ++i) {
    held[order[i]] = 1;
    held_keys.insert(pair_key(corpus.src[order[i]], corpus.tgt[order[i]]));
  }
  CorpusSplit split;
  split.train.file_lines = split.valid.file_lines = corpus.file_lines;
  split.train.skipped_empty = corpus.skipped_empty;
  split.train.skipped_flawed = corpus.skipped_flawed;
  for (size_t i = 0; i < n; ++i) {
    auto& part = held[i] ? split.valid : split.train;
    if (!held[i] && held_keys.count(pair_key(corpus.src[i], corpus.tgt[i])) > 0) {
      ++split.copies_removed;
      continue;
    }
    part.src.push_back(std::move(corpus.src[i]));
    part.tgt.push_back(std::move(corpus.tgt[i]));
    if (i < corpus.line_numbers.size()) part.line_numbers.push_back(corpus.line_numbers[i]);
  }
  if (split.train.src.empty())
    throw UserError("every training pair is a copy of a held-out validation pair: nothing is left to train on");
  return split;
}

}  // namespace crosstalk::train
