#!/usr/bin/env python3
"""Writes the BLEU/chrF test fixtures under tests/fixtures/eval/ with sacreBLEU.

Each case is a pair of UTF-8 files, <case>.hyp and <case>.ref (one segment per line,
'\\n' line ends, every line terminated), and one row of expected.tsv holding the scores
sacreBLEU's defaults give: sacrebleu.BLEU() and sacrebleu.CHRF(), corpus_score(hyps,
[refs]). Floats are written with repr(), so they read back as the exact doubles.

    PYTHONPATH=../shared/tools/sacrebleu python3 scripts/make_eval_fixtures.py \\
        [--multi30k ../shared/data/multi30k] [--out tests/fixtures/eval]

The output is deterministic (fixed seeds, no timestamps): re-running it must not change
the committed files unless sacreBLEU or the cases change.
"""

import argparse
import random
import sys
from pathlib import Path

try:
    import sacrebleu
except ImportError:
    sys.exit("sacrebleu not importable: run with PYTHONPATH=/path/to/sacrebleu (2.5 source)")

REPO = Path(__file__).resolve().parent.parent

# Line breaks other than '\n' (and the characters Python's splitlines() treats as line
# breaks) would make the line-per-segment files ambiguous, so no case may use them.
FORBIDDEN = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def simple_cases():
    cases = {}
    refs = ["The cat sat on the mat.", "A dog runs in the park.", "It is raining today.",
            "She reads a book by the window.", "Two men play chess outside."]
    cases["empty_lines"] = (
        ["The cat sat on a mat.", "", "It rains today.", "", "Two men are playing chess outside."],
        refs)
    cases["all_empty_hyps"] = (["", "", "", ""], refs[:4])
    cases["empty_refs"] = (
        ["The cat sat on the mat.", "Nothing to see here.", "It is raining today.", ""],
        ["The cat sat on the mat.", "", "It is raining today!", ""])
    cases["unicode"] = (
        ["Der Bär lauft über die Strasse und trinkt Wasser.",
         "Les élèves francais étudient à l'ecole près de la forêt.",
         "我们今天去公园散步了。",
         "東京は日本の首都だ。",
         "The party was fun 🎉 and everyone smiled 😀 !",
         "Family: 👨‍👩‍👧 and a thumbs-up 👍.",
         "Ça coûte 5 € — naive café crème.",
         "Ελληνικά και русский текст!",
         "e\u0301 combining vs e\u0301 precomposed",
         "Größe: ½ ² ³ µ ß ẞ ﬁ İ"],
        ["Der Bär läuft über die Straße und trinkt Wasser.",
         "Les élèves français étudient à l'école près de la forêt.",
         "我们今天去公园散步。",
         "東京は日本の首都です。",
         "The party was fun 🎉🎉 and everyone smiled 😀!",
         "Family: 👨‍👩‍👧‍👦 and a thumbs-up 👍🏽.",
         "Ça coûte 5 € — naïve café crème.",
         "Ελληνικά και русский текст.",
         "e\u0301 combining vs \u00e9 precomposed",
         "Größe: ½ ² ³ µ ß ẞ ﬁ İ"])
    cases["punctuation"] = (
        ['Wow!! That is "amazing"...', "What?! Really??", "Tom & Jerry cost $5.",
         'He said "hello" <b>', "A well known, long-term plan - maybe.",
         "(parentheses) [brackets] {braces} <angle>", "It's John's cat; isnt it?",
         "Email me@example.com or visit http://x.y/z?a=1&amp;b=2",
         "#hashtag @user 100% * + = ~ ^ _ ` | \\", "....,,,!!?", "This is <skipped> text -- ok",
         "'single' `back` \u201csmart\u201d \u00abguillemets\u00bb \u2026 \u2013 \u2014"],
        ['Wow!!! That is "amazing"...', "What?! Really?", "Tom &amp; Jerry cost $5.",
         "He said &quot;hello&quot; &lt;b&gt;", "A well-known, long-term plan -- maybe.",
         "(parentheses) [brackets] {braces} <angle>", "It's John's cat; isn't it?",
         "Email me@example.com or visit http://x.y/z?a=1&b=2",
         "#hashtag @user 100% * + = ~ ^ _ ` | \\", "....,,,,!!??", "This is text -- ok",
         "'single' `back` \u201csmart\u201d \u00abguillemets\u00bb \u2026 \u2013 \u2014"])
    cases["numbers"] = (
        ["It cost 1,000.50 dollars in 2019.", "Scores were 3-4 and 10-3.",
         "Pi is 3.14159, e is 2.718.", "Call 555-1234 at 9:30.",
         "Version 2.5.1 released 2024-01-15.", "-5 and 5- and .5 and 5. and ,5 and 5,",
         "1.000,50 EUR", "The years 1999-2001 (approx.)"],
        ["It cost 1,000.50 dollars in 2019.", "Scores were 3-4 and 10-2.",
         "Pi is 3.14159, and e is 2.71828.", "Call 555-1234 at 9:30 a.m.",
         "Version 2.5.1 was released on 2024-01-15.", "-5 and 5- and .5 and 5. and ,5 and 5,",
         "1.000,50 EUR", "The years 1999 - 2001 (approx.)"])
    cases["whitespace"] = (
        ["  leading and trailing spaces   ", "tab\tseparated\twords", "no\u00a0break\u00a0space",
         "ideographic\u3000space", "thin\u2009space and narrow\u202fnbsp", "many     spaces  here",
         "ogham\u1680space trailing tab\t"],
        ["leading and trailing spaces", "tab separated words", "no break space",
         "ideographic space", "thin space and narrow nbsp", "many spaces here",
         "ogham space trailing tab"])
    cases["single_sentence"] = (
        ["A man in an orange hat looks at something."],
        ["A man in an orange hat starring at something."])
    cases["perfect_match"] = (refs, list(refs))
    cases["no_4gram_matches"] = (
        ["the quick brown cat jumps over a lazy dog", "one two three five four six"],
        ["the quick brown fox jumps over the lazy dog", "one two three four five six"])
    cases["no_3gram_matches"] = (
        ["red apples and green pears", "we saw a film yesterday"],
        ["green apples and red pears", "yesterday we saw one film"])
    cases["short_hyps"] = (
        ["the cat", "a dog runs", "rain"],
        ["the cat sat on the mat", "a dog runs in the park", "it is raining"])
    cases["no_matches"] = (["alpha beta gamma delta", "epsilon zeta"],
                           ["one two three four five", "six seven"])
    cases["long_hyps"] = (
        ["The cat sat on the soft mat in the warm kitchen today.",
         "A big dog runs quickly in the green park with a ball."],
        ["The cat sat on the mat.", "A dog runs in the park."])
    return cases


def perturb(line, rng, vocab):
    """A deterministic noisy 'translation' of a reference line."""
    r = rng.random()
    if r < 0.03:
        return ""
    if r < 0.08:
        return line
    words = line.split(" ")
    out = []
    i = 0
    while i < len(words):
        r = rng.random()
        if r < 0.08:
            pass  # drop
        elif r < 0.16:
            out.append(vocab[int(rng.random() * len(vocab))])
        elif r < 0.22 and i + 1 < len(words):
            out += [words[i + 1], words[i]]
            i += 1
        elif r < 0.25:
            out += [words[i], words[i]]
        else:
            out.append(words[i])
        i += 1
    text = " ".join(out)
    r = rng.random()
    if r < 0.05:
        text = text.lower()
    elif r < 0.10 and text.endswith("."):
        text = text[:-1]
    elif r < 0.13:
        text = text.replace(" ,", ",").replace(",", " ,")
    return text


def multi30k_case(path, n, seed):
    refs = path.read_text(encoding="utf-8").split("\n")[:n]
    assert len(refs) == n
    vocab = sorted({w for line in refs for w in line.split(" ") if w})
    rng = random.Random(seed)
    hyps = [perturb(line, rng, vocab) for line in refs]
    return hyps, refs


def check(name, hyps, refs):
    assert len(hyps) == len(refs) and hyps, name
    for line in hyps + refs:
        assert not (set(line) & FORBIDDEN), (name, line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--multi30k", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/multi30k")
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "eval")
    args = ap.parse_args()

    cases = simple_cases()
    cases["multi30k_en_200"] = multi30k_case(args.multi30k / "test_2016_flickr.en", 200, 13)
    cases["multi30k_de_50"] = multi30k_case(args.multi30k / "test_2016_flickr.de", 50, 29)

    args.out.mkdir(parents=True, exist_ok=True)
    columns = ["case", "lines", "bleu", "p1", "p2", "p3", "p4", "bp", "sys_len", "ref_len",
               "chrf", "bleu_str", "chrf_str", "bleu_signature", "chrf_signature"]
    rows = ["\t".join(columns)]
    for name, (hyps, refs) in cases.items():
        check(name, hyps, refs)
        for ext, lines in (("hyp", hyps), ("ref", refs)):
            with open(args.out / f"{name}.{ext}", "w", encoding="utf-8", newline="\n") as f:
                f.write("".join(line + "\n" for line in lines))

        bleu = sacrebleu.BLEU()
        b = bleu.corpus_score(hyps, [refs])
        chrf = sacrebleu.CHRF()
        c = chrf.corpus_score(hyps, [refs])
        # The cases must exercise what their names promise.
        if name == "all_empty_hyps":
            assert b.sys_len == 0 and b.score == 0.0 and c.score == 0.0
        if name == "perfect_match":
            assert abs(b.score - 100) < 1e-9 and abs(c.score - 100) < 1e-9
        if name == "no_4gram_matches":
            assert b.counts[3] == 0 and b.counts[2] > 0 and b.score > 0
        if name == "no_3gram_matches":
            assert b.counts[3] == 0 and b.counts[2] == 0 and b.counts[1] > 0
        if name == "short_hyps":
            assert b.totals[3] == 0 and b.score == 0.0
        if name == "no_matches":
            assert not any(b.counts)
        if name == "long_hyps":
            assert b.bp == 1.0 and b.sys_len > b.ref_len
        row = [name, str(len(hyps)), repr(float(b.score))]
        row += [repr(float(p)) for p in b.precisions]
        row += [repr(float(b.bp)), str(b.sys_len), str(b.ref_len), repr(float(c.score)),
                str(b), str(c), str(bleu.get_signature()), str(chrf.get_signature())]
        assert not any("\t" in field for field in row)
        rows.append("\t".join(row))
        print(f"{name:18s} {b}  |  {c}")

    with open(args.out / "expected.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
