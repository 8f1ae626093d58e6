// Prefix-constrained decoding (search/prefix.h): the output starts with the prefix the user
// typed, in greedy and beam search, at every word boundary and inside words; an empty prefix
// changes nothing; a model that learned a pair completes a correct prefix to that pair.
#include <catch2/catch.hpp>

#include "toy_model.h"

#include <string>
#include <vector>

#include "crosstalk/search/prefix.h"
#include "crosstalk/search/translator.h"

namespace ct = crosstalk;
using ct::search::PieceSpeller;

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The 12 toy pairs, learned (as in test_overfit.cpp), shared by the tests of this file.
ToyModel& learned() {
  static ScopedTempDir dir("prefix");
  static ToyModel toy = [] {
    auto t = toy_pairs(dir.path, 12);
    overfit(&t, ct::model::ModelOptions().vocab_size(t.vocab.size()).d_model(64).heads(2).encoder_layers(2)
                    .decoder_layers(2).ffn_dim(128).dropout(0.0).tied_embeddings(true).max_positions(64),
            400);
    t.model->eval();
    return t;
  }();
  return toy;
}

ct::search::DecodeOptions search(int64_t beam, int64_t nbest = 1) {
  ct::search::DecodeOptions o;
  o.beam_size = beam;
  o.nbest = nbest;
  return o;
}

}  // namespace

TEST_CASE("target prefix: complete words are forced pieces, the last one is spelled", "[prefix]") {
  const auto& vocab = learned().vocab;
  auto p = ct::search::make_target_prefix(vocab, "the gr");
  CHECK(std::vector<int>(p.forced.begin(), p.forced.end()) == vocab.encode("the"));
  CHECK(p.spell == "\xE2\x96\x81gr");
  p = ct::search::make_target_prefix(vocab, "  the green ");  // a trailing space: the word is complete
  CHECK(std::vector<int>(p.forced.begin(), p.forced.end()) == vocab.encode("the green"));
  CHECK(p.spell == "\xE2\x96\x81");
  p = ct::search::make_target_prefix(vocab, "gr");
  CHECK(p.forced.empty());
  CHECK(p.spell == "\xE2\x96\x81gr");
  CHECK(ct::search::make_target_prefix(vocab, "").empty());
  CHECK(ct::search::make_target_prefix(vocab, " \t ").empty());
}

TEST_CASE("piece speller: forced pieces in order, then exactly the pieces that continue the spelling",
          "[prefix]") {
  const auto& vocab = learned().vocab;
  const PieceSpeller speller(vocab);
  const auto p = ct::search::make_target_prefix(vocab, "the old ma");
  std::vector<int64_t> tokens;
  for (auto id : p.forced) {
    const auto n = speller.next(p, tokens);
    REQUIRE(n.rule == PieceSpeller::Rule::kForced);
    CHECK(n.forced_id == id);
    tokens.push_back(id);
  }
  // Spelling "▁ma": every allowed piece continues it or completes it, and no other piece does.
  std::string rem = p.spell;
  while (!rem.empty()) {
    const auto n = speller.next(p, tokens);
    REQUIRE(n.rule == PieceSpeller::Rule::kSpell);
    std::vector<bool> allowed(static_cast<size_t>(vocab.size()), false);
    for (auto id : n.allowed) allowed[static_cast<size_t>(id)] = true;
    for (int id = 4; id < vocab.size(); ++id) {
      const auto piece = vocab.piece(id);
      INFO("piece '" << piece << "' against '" << rem << "'");
      CHECK(allowed[static_cast<size_t>(id)] == (starts_with(piece, rem) || starts_with(rem, piece)));
    }
    for (int id = 0; id < 4; ++id) CHECK_FALSE(allowed[static_cast<size_t>(id)]);  // never EOS
    // Take the shortest allowed piece: the spelling goes on piece by piece.
    int64_t shortest = n.allowed.front();
    for (auto id : n.allowed)
      if (vocab.piece(static_cast<int>(id)).size() < vocab.piece(static_cast<int>(shortest)).size()) shortest = id;
    tokens.push_back(shortest);
    const auto piece = vocab.piece(static_cast<int>(shortest));
    rem = starts_with(rem, piece) ? rem.substr(piece.size()) : std::string();
  }
  CHECK(speller.next(p, tokens).rule == PieceSpeller::Rule::kFree);
}

TEST_CASE("prefix decoding: an empty prefix gives the ordinary translation, greedy and beam", "[prefix][slow]") {
  auto& toy = learned();
  ct::search::Translator translator(toy.model, toy.vocab, torch::kCPU);
  for (int64_t beam : {1, 4}) {
    const auto plain = translator.translate(toy.de, search(beam));
    const auto empty = translator.translate(toy.de, std::vector<std::string>(toy.de.size()), search(beam));
    for (size_t i = 0; i < toy.de.size(); ++i) {
      CHECK(empty[i].best.tokens == plain[i].best.tokens);
      CHECK(empty[i].best.log_prob == plain[i].best.log_prob);
      CHECK(empty[i].best.prefix_pieces == 0);
    }
  }
}

TEST_CASE("prefix decoding: at every word boundary and inside every word the output starts with the prefix",
          "[prefix][slow]") {
  auto& toy = learned();
  ct::search::Translator translator(toy.model, toy.vocab, torch::kCPU);
  for (int64_t beam : {1, 4}) {
    std::vector<std::string> sources, prefixes, references;
    for (size_t i = 0; i < toy.en.size(); ++i) {
      const auto w = words(toy.en[i]);
      std::string start;
      for (size_t k = 0; k < w.size(); ++k) {
        sources.push_back(toy.de[i]);
        prefixes.push_back(start);  // k whole words and a space
        references.push_back(toy.en[i]);
        if (w[k].size() > 2) {  // cut inside word k
          sources.push_back(toy.de[i]);
          prefixes.push_back(start + w[k].substr(0, 2));
          references.push_back(toy.en[i]);
        }
        start += w[k] + " ";
      }
    }
    const auto out = translator.translate(sources, prefixes, search(beam));
    for (size_t j = 0; j < out.size(); ++j) {
      INFO("beam " << beam << ": '" << sources[j] << "' with prefix '" << prefixes[j] << "' -> '" << out[j].text << "'");
      CHECK(starts_with(out[j].text, prefixes[j]));
      const auto forced = ct::search::make_target_prefix(toy.vocab, prefixes[j]).forced;
      REQUIRE(out[j].best.tokens.size() >= forced.size());
      CHECK(std::vector<int64_t>(out[j].best.tokens.begin(), out[j].best.tokens.begin() + forced.size()) == forced);
      CHECK(out[j].best.prefix_pieces >= static_cast<int64_t>(forced.size()));
      CHECK(out[j].best.prefix_log_prob <= 0.0);
      CHECK(out[j].best.prefix_log_prob >= out[j].best.log_prob);
      // Greedy search translates every learned pair exactly (test_overfit.cpp): from a correct
      // start it goes on to the whole reference. (Beam 4 need not: for one pair its
      // unconstrained output differs from the reference already.)
      if (beam == 1) CHECK(out[j].text == references[j]);
    }
  }
}

TEST_CASE("prefix decoding: the forced start fed in one decoder pass equals feeding it piece by piece",
          "[prefix][slow]") {
  auto& toy = learned();
  ct::search::Translator translator(toy.model, toy.vocab, torch::kCPU);
  auto options = search(1);
  options.return_attention = true;
  // Alone, a sentence's forced pieces go in one pass (search/step.h, feed_forced_start); in a
  // batch with a sentence that has no prefix, no piece is forced in every row, so they go one
  // step each. Same model, same pieces: the same output; the scores and the attention differ
  // by float32 rounding only (the one-pass path sums in another order): per piece, a few
  // thousand operations at float32's 1.2e-7 keep it under 1e-4.
  const double per_piece = 1e-4;
  for (size_t i = 0; i < toy.en.size(); ++i) {
    const auto w = words(toy.en[i]);
    const std::string prefix = w[0] + " " + w[1] + " " + w[2].substr(0, 1);
    const auto alone = translator.translate({toy.de[i]}, {prefix}, options)[0].best;
    const auto stepped = translator.translate({toy.de[i], toy.de[(i + 1) % toy.de.size()]}, {prefix, ""}, options)[0].best;
    INFO("'" << toy.de[i] << "' with prefix '" << prefix << "'");
    REQUIRE(alone.tokens == stepped.tokens);
    CHECK(alone.prefix_pieces == stepped.prefix_pieces);
    const double tol = per_piece * static_cast<double>(alone.tokens.size() + 1);
    CHECK(alone.prefix_log_prob == Approx(stepped.prefix_log_prob).margin(tol));
    CHECK(alone.log_prob == Approx(stepped.log_prob).margin(tol));
    REQUIRE(alone.attention.sizes() == stepped.attention.sizes());
    CHECK(torch::allclose(alone.attention, stepped.attention, 0.0, per_piece));
  }
}

TEST_CASE("prefix decoding: a wrong word is kept, a partial word completes to a word that starts with it",
          "[prefix][slow]") {
  auto& toy = learned();
  ct::search::Translator translator(toy.model, toy.vocab, torch::kCPU);
  // toy.en[0] is "the green woman hears the cat": force other words into it.
  REQUIRE(toy.en[0] == "the green woman hears the cat");
  const std::vector<std::string> prefixes = {"a small ", "the gre", "the old m", "the green woman j"};
  for (int64_t beam : {1, 4}) {
    const auto out = translator.translate(std::vector<std::string>(prefixes.size(), toy.de[0]), prefixes,
                                          search(beam, beam));
    for (size_t j = 0; j < prefixes.size(); ++j) {
      for (const auto& text : out[j].nbest_text) {
        INFO("beam " << beam << ", prefix '" << prefixes[j] << "' -> '" << text << "'");
        CHECK(starts_with(text, prefixes[j]));
        const auto typed = words(prefixes[j]), got = words(text);
        REQUIRE(got.size() >= typed.size());
        if (prefixes[j].back() != ' ') CHECK(starts_with(got[typed.size() - 1], typed.back()));
      }
      if (beam > 1) {  // n-best: different completions of the one prefix
        for (size_t a = 0; a < out[j].nbest_text.size(); ++a)
          for (size_t b = a + 1; b < out[j].nbest_text.size(); ++b) CHECK(out[j].nbest[a].tokens != out[j].nbest[b].tokens);
      }
    }
  }
}

TEST_CASE("prefix decoding: a character the vocabulary lacks lifts the spelling and says so", "[prefix][slow]") {
  auto& toy = learned();
  ct::search::Translator translator(toy.model, toy.vocab, torch::kCPU);
  const auto out = translator.translate({toy.de[0]}, {"the \xE2\x82\xAC"}, search(1));  // "the €"
  CHECK(out[0].best.prefix_relaxed);
  CHECK(starts_with(out[0].text, "the "));
}

TEST_CASE("next words: whole words, most likely first, the learned one on top, each leading to its completion",
          "[prefix][slow]") {
  auto& toy = learned();
  ct::search::Translator translator(toy.model, toy.vocab, torch::kCPU);
  REQUIRE(toy.en[0] == "the green woman hears the cat");
  // prefix -> the word the model learned to come next (greedy translates the pair exactly)
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the"}, {"the ", "green"}, {"the gr", "green"}, {"the green woman h", "hears"}, {"the green", "green"}};
  for (const auto& [prefix, expected] : cases) {
    const auto completed = translator.complete({toy.de[0]}, {prefix}, 3, search(1));
    INFO("prefix '" << prefix << "'");
    REQUIRE(completed.size() == 1);
    // The completion searched beside the alternatives is the one searched alone.
    CHECK(completed[0].translation.text == translator.translate({toy.de[0]}, {prefix}, search(1))[0].text);
    const auto& alternatives = completed[0].alternatives;
    REQUIRE_FALSE(alternatives.empty());
    CHECK(alternatives.size() <= 3);
    CHECK(alternatives[0].word == expected);
    const auto target = ct::search::make_target_prefix(toy.vocab, prefix);
    const std::string partial = prefix.empty() || prefix.back() == ' ' ? std::string() : words(prefix).back();
    for (size_t i = 0; i < alternatives.size(); ++i) {
      const auto& a = alternatives[i];
      INFO("alternative " << i << ": '" << a.word << "' (" << a.probability << ") -> '" << a.completion << "'");
      CHECK(a.word.find(' ') == std::string::npos);
      CHECK(starts_with(a.word, partial));  // an unfinished word is completed, never replaced
      CHECK(a.probability > 0.0);
      CHECK(a.probability <= 1.0);
      if (i > 0) CHECK(a.probability <= alternatives[i - 1].probability);
      for (size_t j = 0; j < i; ++j) CHECK(a.word != alternatives[j].word);
      const std::string start = (target.words.empty() ? "" : target.words + " ") + a.word + " ";
      CHECK(starts_with(a.completion + " ", start));
    }
    // The learned word leads to the learned translation.
    CHECK(alternatives[0].completion == toy.en[0]);
  }
}
