#!/usr/bin/env python3
"""Browser test of the editable translation of `crosstalk serve`'s page (src/serve/page/edit.js).

Trains the tiny model (as test_page.py does; tests/browser/harness.py), opens
/?text=<a toy sentence> in headless chromium and edits the translation with real key events
(CDP Input.dispatchKeyEvent: keyDown, char, keyUp per character; Tab, arrows and Escape as
keys; a real mouse click), checking the page against the server's own /api/complete answers
for the same source and prefix:

  a. after typing a prefix and pausing, the box starts with the typed text and holds the
     server's completion of it, with the cursor where it was;
  b. the next words under the cursor are the server's alternatives (same order, with their
     probabilities), at the cursor; Tab takes the highlighted one, a click another: the word
     goes in, its completion after it, the cursor after it, and a fresh completion follows;
  c. the heatmap's and links' rows are the current completion's words (or pieces), and
     exactly the rows the user wrote (prefix_pieces) are marked;
  d. a prefix ending inside a word completes to a word that starts with the typed letters;
  e. an answer to an older request (the text changed since) is not used.

  python3 tests/browser/test_edit.py --binary build/crosstalk [--model DIR] [--screenshot PNG]

Registered with ctest as `browser_edit` (tests/CMakeLists.txt).
"""

import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import argument_parser, center, check, run, wait_ready  # noqa: E402
from edit_steps import EditSteps  # noqa: E402

SENTENCE = "ein mann mag das grüne pferd"           # data/toy/valid.de, line 3
OTHER_WORDS = ["dog", "woman", "girl", "cat", "bird"]  # toy target words, to type one the model did not write
PARTIAL = "gre"                                      # the start of a word ("green"), typed without its end


def run_checks(b, server, args, out_dir):
    status, res = server.post("/api/translate", {"text": SENTENCE, "beam": 4, "nbest": 4, "attention": True})
    check(status == 200, "POST /api/translate answers 200", str(res))
    b.open_page()
    b.navigate(server.url + "/?" + urllib.parse.urlencode({"text": SENTENCE}))
    wait_ready(b, "the heatmap of /?text=...")
    s = EditSteps(b, server, SENTENCE)
    check(b.evaluate("(() => { const t = document.getElementById('translation');"
                     " return t.tagName === 'TEXTAREA' && !t.readOnly && !t.disabled; })()")
          and s.value() == res["translation"], "the translation is an editable box holding the server's translation")
    left = type_over(b, s, res["translation"])
    mid_word(b, s, left)
    # e: an answer that comes after the text changed is not used.
    s.check_stale()
    shot = b.screenshot(args.screenshot or os.path.join(out_dir, "edit.png"))
    check(len(shot) > 1000, "a screenshot of the edited translation")
    errors = [e for e in b.errors() if not (s.escaped_probes and "status of 405" in e)]
    check(not errors, "no JavaScript errors", "\n".join(errors))


def type_over(b, s, translation):
    """a, b, c: the model's first word, then a word it did not choose, a pause; Tab takes the
    first next word; the marked rows in words and pieces. Returns the list's left edge."""
    words = translation.split()
    other = next(w for w in OTHER_WORDS if len(words) < 2 or w != words[1])
    x, y = center(b, "#translation")
    b.click(x, y)
    s.key("a", "KeyA", 65, modifiers=2)            # Ctrl+A: the whole translation selected ...
    typed = words[0] + " " + other + " "
    s.type(typed)                                   # ... and typed over
    first = s.expect_completion(typed, "typing '%s'" % typed)
    left_a = s.check_suggestions(first, "after '%s'" % typed)
    s.check_views(first["completion"], "after '%s'" % typed)
    s.check_hover_yours()

    # b: Tab takes the first next word.
    s.accept_with(lambda: s.key("Tab", "Tab", 9), first["alternatives"][0], typed, "Tab")
    check(b.evaluate("document.activeElement.id") == "translation", "Tab kept the focus in the translation box")

    # c, in pieces: exactly the first prefix_pieces rows are the user's.
    x, y = center(b, "#pieces")
    b.click(x, y)
    s.check_views(s.last["completion"], "in pieces", pieces=True)
    b.click(x, y)
    b.wait_for("!document.getElementById('pieces').checked", timeout=10, what="the words toggle")
    return left_a


def mid_word(b, s, left_a):
    """d: a prefix ending inside a word (the list further right); arrows, Escape, Ctrl+Space;
    a click takes a next word."""
    x, y = center(b, "#translation")
    b.click(x, y)
    s.key("End", "End", 35, modifiers=2)           # Ctrl+End: the end of the text
    caret = b.evaluate("document.getElementById('translation').selectionStart")
    check(caret == len(s.value()), "Ctrl+End puts the cursor at the end of the translation")
    start = s.value()[:caret] + ("" if s.value()[-1:].isspace() else " ")   # a new word begins here
    prefix = start + PARTIAL
    s.type(prefix[caret:])
    mid = s.expect_completion(prefix, "typing '%s' inside a word" % PARTIAL)
    word = (s.value()[len(start):].split() or [""])[0]
    check(word.startswith(PARTIAL), "d: the word at the cursor completes '%s' (to '%s')" % (PARTIAL, word))
    check(all(a["word"].startswith(PARTIAL) for a in mid["alternatives"]),
          "d: every next word the server lists continues '%s'" % PARTIAL, str(mid["alternatives"]))
    left_d = s.check_suggestions(mid, "inside a word")
    if left_a is not None and left_d is not None:
        check(left_d > left_a, "the list moved right with the cursor (%.0f px -> %.0f px)" % (left_a, left_d))
    s.check_views(mid["completion"], "inside a word")

    # The highlight follows the arrows, Escape hides the list, Ctrl+Space brings it back; a click takes one.
    alternatives = mid["alternatives"]
    if len(alternatives) >= 2:
        s.key("ArrowDown", "ArrowDown", 40)
        check(s.active() == 1, "ArrowDown highlights the second next word")
        s.key("ArrowUp", "ArrowUp", 38)
        check(s.active() == 0, "ArrowUp highlights the first again")
    s.key("Escape", "Escape", 27)
    check(b.evaluate("document.getElementById('suggestions').hidden"), "Escape hides the next words")
    applied = s.applied()
    s.key(" ", "Space", 32, modifiers=2)
    again = s.expect_completion(prefix, "Ctrl+Space", since=applied)
    pick = len(again["alternatives"]) - 1
    s.check_suggestions(again, "after Ctrl+Space")
    before_word = start

    def click_pick():
        cx, cy = center(b, "#suggestion-%d" % pick)
        b.click(cx, cy)
    s.accept_with(click_pick, again["alternatives"][pick], before_word, "a click")


def main():
    ap = argument_parser(__doc__)
    ap.add_argument("--screenshot", help="write the page's screenshot here (default: in the temp dir)")
    args = ap.parse_args()
    args.mock = False  # mock_serve.py has no /api/complete
    return run(args, run_checks)


if __name__ == "__main__":
    sys.exit(main())
