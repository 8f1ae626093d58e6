#!/usr/bin/env python3
"""Generates the synthetic German->English toy corpus in data/toy/.

Deterministic (fixed seed, Python stdlib only): running it again rewrites
identical files. The language is a small, mostly monotone word-for-word mapping
over a ~30-entry lexicon, with German gender/case agreement (der/den/die/das,
ein/einen/eine, adjective endings) and English a/an, so a model has a little to
learn but can overfit it within a few hundred steps.

Usage: python3 scripts/make_toy_corpus.py [--out data/toy]
"""

import argparse
import os
import random

SEED = 20240611
N_TRAIN = 400
N_VALID_SEEN = 20    # valid pairs that also appear in train
N_VALID_UNSEEN = 20  # valid pairs that do not

# noun: (german, gender, english)
NOUNS = [
    ("hund", "m", "dog"), ("mann", "m", "man"), ("junge", "m", "boy"),
    ("vogel", "m", "bird"), ("ball", "m", "ball"),
    ("katze", "f", "cat"), ("frau", "f", "woman"), ("blume", "f", "flower"),
    ("mädchen", "n", "girl"), ("kind", "n", "child"), ("pferd", "n", "horse"),
]
ANIMATE = [n for n in NOUNS if n[0] not in ("ball", "blume")]
# adjective stem -> english
ADJECTIVES = [
    ("klein", "small"), ("groß", "big"), ("alt", "old"),
    ("schön", "beautiful"), ("müde", "tired"), ("grün", "green"),
]
VERBS_INTRANSITIVE = [
    ("läuft", "runs"), ("schläft", "sleeps"), ("springt", "jumps"), ("spielt", "plays"),
]
VERBS_TRANSITIVE = [
    ("sieht", "sees"), ("mag", "likes"), ("hört", "hears"), ("findet", "finds"),
]
PLACES = [("im park", "in the park"), ("heute", "today")]

DEFINITE = {("m", "nom"): "der", ("m", "acc"): "den",
            ("f", "nom"): "die", ("f", "acc"): "die",
            ("n", "nom"): "das", ("n", "acc"): "das"}
INDEFINITE = {("m", "nom"): "ein", ("m", "acc"): "einen",
              ("f", "nom"): "eine", ("f", "acc"): "eine",
              ("n", "nom"): "ein", ("n", "acc"): "ein"}


def adjective_form(stem, gender, case, definite):
    """German adjective ending after a definite (weak) or indefinite (mixed) article."""
    if stem.endswith("e"):  # müde -> müde-/müden
        stem = stem[:-1]
    if case == "acc" and gender == "m":
        return stem + "en"
    if definite:
        return stem + "e"
    return stem + {"m": "er", "f": "e", "n": "es"}[gender]


def noun_phrase(rng, nouns, case):
    """Returns (german words, english words) for [article] [adjective] noun."""
    de_noun, gender, en_noun = rng.choice(nouns)
    definite = rng.random() < 0.5
    de = [(DEFINITE if definite else INDEFINITE)[(gender, case)]]
    en = []
    if rng.random() < 0.5:
        stem, en_adj = rng.choice(ADJECTIVES)
        de.append(adjective_form(stem, gender, case, definite))
        en.append(en_adj)
    de.append(de_noun)
    en.append(en_noun)
    if definite:
        article = "the"
    else:
        article = "an" if en[0][0] in "aeiou" else "a"
    return de, [article] + en


def sentence(rng):
    subj_de, subj_en = noun_phrase(rng, ANIMATE, "nom")
    if rng.random() < 0.45:
        verb_de, verb_en = rng.choice(VERBS_INTRANSITIVE)
        de, en = subj_de + [verb_de], subj_en + [verb_en]
        if rng.random() < 0.5:
            place_de, place_en = rng.choice(PLACES)
            de += place_de.split()
            en += place_en.split()
    else:
        verb_de, verb_en = rng.choice(VERBS_TRANSITIVE)
        obj_de, obj_en = noun_phrase(rng, NOUNS, "acc")
        de, en = subj_de + [verb_de] + obj_de, subj_en + [verb_en] + obj_en
    assert 3 <= len(de) <= 7, de
    return " ".join(de), " ".join(en)


def unique_pairs(rng, n, exclude):
    pairs, seen = [], set(exclude)
    while len(pairs) < n:
        pair = sentence(rng)
        if pair[0] not in seen:
            seen.add(pair[0])
            pairs.append(pair)
    return pairs


def write(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--out", default=os.path.join(root, "data", "toy"))
    args = parser.parse_args()

    rng = random.Random(SEED)
    train = unique_pairs(rng, N_TRAIN, ())
    unseen = unique_pairs(rng, N_VALID_UNSEEN, (de for de, _ in train))
    valid = rng.sample(train, N_VALID_SEEN) + unseen

    os.makedirs(args.out, exist_ok=True)
    for name, pairs in (("train", train), ("valid", valid)):
        write(os.path.join(args.out, name + ".de"), [de for de, _ in pairs])
        write(os.path.join(args.out, name + ".en"), [en for _, en in pairs])
        print(f"wrote {len(pairs)} pairs to {os.path.join(args.out, name)}.{{de,en}}")


if __name__ == "__main__":
    main()
