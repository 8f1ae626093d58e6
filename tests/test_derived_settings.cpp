// What a training run derives when the user gives nothing: names from the files,
// the vocabulary size from the corpus, the warmup from the budget.
#include <catch2/catch.hpp>

#include "crosstalk/train/derived_settings.h"

using namespace crosstalk::train;

TEST_CASE("names: corpus and languages from the file names", "[derived]") {
  const auto m = corpus_names("data/multi30k/train.de", "data/multi30k/train.en", "", "");
  CHECK(m.corpus == "multi30k");
  CHECK(m.src_lang == "de");
  CHECK(m.tgt_lang == "en");
  CHECK(default_model_dir(m) == "models/multi30k_de_en");
  CHECK(default_model_dir(corpus_names("/home/u/my.en", "/home/u/my.es", "", "")) == "models/my_en_es");
  CHECK(default_model_dir(corpus_names("news.v2.en-es.en", "news.v2.en-es.es", "", "")) == "models/news.v2.en-es_en_es");
  // No language suffixes: the flags, else src/tgt; the common part of the names.
  CHECK(default_model_dir(corpus_names("d/corpus_source.txt", "d/corpus_target.txt", "", "")) == "models/d_src_tgt");
  CHECK(default_model_dir(corpus_names("d/books_source.txt", "d/books_target.txt", "", "")) == "models/books_src_tgt");
  CHECK(default_model_dir(corpus_names("a/source", "a/target", "fr", "en")) == "models/a_fr_en");
  // The flags win over the suffixes.
  CHECK(default_model_dir(corpus_names("x/bible.de", "x/bible.en", "deu", "eng")) == "models/bible_deu_eng");
  // Characters that do not belong in a directory name.
  CHECK(default_model_dir(corpus_names("x/my corpus.en", "x/my corpus.es", "", "")) == "models/my_corpus_en_es");
}

TEST_CASE("vocabulary size: a fifth of the word types, rounded and clamped", "[derived]") {
  CHECK(derive_vocab_size(39491) == 8000);  // Multi30k de-en: the hand-tuned value
  CHECK(derive_vocab_size(30247) == 6000);  // Multi30k en-fr
  CHECK(derive_vocab_size(10032) == 2000);  // 3,000 pairs of Multi30k de-en
  CHECK(derive_vocab_size(7774) == 1500);
  CHECK(derive_vocab_size(2600) == 500);
  CHECK(derive_vocab_size(10) == 100);
  CHECK(derive_vocab_size(5000000) == 32000);
  int last = 0;
  for (int64_t types = 0; types < 400000; types += 997) {
    const int v = derive_vocab_size(types);
    CHECK(v >= last);  // more text, never a smaller vocabulary
    last = v;
  }
}

TEST_CASE("word types: distinct whitespace words over both sides", "[derived]") {
  crosstalk::text::ParallelCorpus c;
  c.src = {"a b  a", "c\td"};
  c.tgt = {"a x", "y"};
  CHECK(count_word_types(c) == 6);  // a b c d x y
}

TEST_CASE("warmup: 45% of the nearest budget, clamped", "[derived]") {
  BudgetInputs in;
  in.updates_per_epoch = 300;
  in.target_tokens_per_update = 1690;
  in.parameters = 7590000;
  in.minutes = 12;
  in.max_epochs = 100;
  // The hand-tuned recipe: ~900 updates in 12 minutes, warmup 400.
  const auto recipe = derive_warmup(in);
  CHECK(recipe.expected_updates == 895);
  CHECK(recipe.warmup == 400);
  CHECK_THAT(recipe.basis, Catch::Contains("--minutes 12"));
  // A smaller budget wins.
  in.max_steps = 100;
  CHECK(derive_warmup(in).warmup == 50);
  CHECK_THAT(derive_warmup(in).basis, Catch::Contains("--max-steps 100"));
  in.max_steps = 0;
  in.max_epochs = 1;
  CHECK(derive_warmup(in).expected_updates == 300);
  // A model twice the size does half the updates a minute.
  in.max_epochs = 0;
  in.parameters = 2 * 7590000;
  CHECK(derive_warmup(in).warmup == 200);
  // Clamped to [10, 4000]; no budget at all: GPU-scale.
  in.minutes = 0.01;
  CHECK(derive_warmup(in).warmup == 10);
  in.minutes = 100000;
  CHECK(derive_warmup(in).warmup == 4000);
  CHECK(derive_warmup(BudgetInputs()).warmup == 4000);
}
