"""The steps and checks of test_edit.py: real key events into the translation box, and the
page compared with the server's own /api/complete answers."""

import json
import re

from cdp_pipe import CdpError
from harness import center, check

def key_code(ch):
    """(code, windowsVirtualKeyCode) of a character typed on a US keyboard (0 for others)."""
    if ch == " ":
        return "Space", 32
    if "a" <= ch.lower() <= "z":
        return "Key" + ch.upper(), ord(ch.upper())
    if "0" <= ch <= "9":
        return "Digit" + ch, ord(ch)
    return "", 0


def expected_marks(c, pieces):
    """(forced rows, partly written rows) of a completion, by the rule of the page's legend
    (src/serve/page/matrix.js, forcedRows): the first prefix_word_pieces pieces (the prefix's
    complete words) and their words are written; when the prefix ends inside a word, the
    pieces that spell it (up to prefix_pieces) and that word are begun."""
    n = len(c["tgt_pieces"])
    whole = min(c.get("prefix_word_pieces", 0), n)
    open_word = c["prefix"][-1:] != "" and not c["prefix"][-1:].isspace()
    begun = max(whole, min(c.get("prefix_pieces", 0), n)) if open_word else whole
    row = (lambda t: t) if pieces else (lambda t: c["tgt_piece_word"][t])
    full = {row(t) for t in range(whole)}
    partial = {row(t) for t in range(whole, begun)} - full
    return full, partial


JS_SUGGESTIONS = """(() => {
  const ta = document.getElementById('translation'), list = document.getElementById('suggestions');
  const st = getComputedStyle(ta), r = ta.getBoundingClientRect(), l = list.getBoundingClientRect();
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = st.fontStyle + ' ' + st.fontWeight + ' ' + st.fontSize + ' ' + st.fontFamily;
  const line = parseFloat(st.lineHeight);
  return {
    hidden: list.hidden,
    words: [...list.children].map(li => li.querySelector('.word').textContent),
    probs: [...list.children].map(li => [+li.dataset.probability, li.querySelector('.prob').textContent]),
    caretX: r.left + ta.clientLeft + parseFloat(st.paddingLeft) + ctx.measureText(ta.value.slice(0, ta.selectionStart)).width,
    oneLine: ta.clientHeight - parseFloat(st.paddingTop) - parseFloat(st.paddingBottom) < 1.5 * line,
    left: l.left, top: l.top, boxTop: r.top, boxBottom: r.bottom, line,
  };
})()"""

JS_ROWS = """(() => {
  const marks = (sel) => [...document.querySelectorAll(sel)].map(e => +e.dataset.row);
  const legend = document.querySelector('.heatmap-figure .forced-legend');
  return {
    unit: document.getElementById('heatmap').dataset.unit,
    labels: [...document.querySelectorAll('#heatmap .row-label')].map(e => e.textContent),
    links: [...document.querySelectorAll('#links .tw')].map(e => e.textContent),
    forced: marks('#heatmap .row-label.forced'), partial: marks('#heatmap .row-label.partial'),
    linksForced: marks('#links .tw.forced'), linksPartial: marks('#links .tw.partial'),
    bars: document.querySelectorAll('#heatmap .forced-mark').length,
    legend: legend && !legend.hidden && legend.getBoundingClientRect().height > 0,
    title: document.getElementById('heatmap-title').textContent,
  };
})()"""


class EditSteps:
    def __init__(self, browser, server, source):
        self.b, self.server, self.source = browser, server, source
        self.last = None  # the last /api/complete answer the page was compared with
        self.escaped_probes = 0  # hold_completions() probes the server answered (405)

    # ---- the page ------------------------------------------------------------------------

    def value(self):
        return self.b.evaluate("document.getElementById('translation').value")

    def caret(self):
        return self.b.evaluate("(() => { const t = document.getElementById('translation');"
                               " return [t.selectionStart, t.selectionEnd]; })()")

    def applied(self):
        return self.b.evaluate("crosstalkPage.edit.applied")

    def active(self):
        return self.b.evaluate("[...document.querySelectorAll('#suggestions li')].findIndex(li => li.classList.contains('active'))")

    def key(self, key, code, vk, modifiers=0):
        """One key pressed and released (no text: Tab, arrows, Escape, End, Ctrl+...)."""
        base = {"key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk, "modifiers": modifiers}
        self.b.call("Input.dispatchKeyEvent", dict(base, type="rawKeyDown"))
        self.b.call("Input.dispatchKeyEvent", dict(base, type="keyUp"))

    def type(self, text):
        """Types text, one character at a time: keyDown, char (the text), keyUp."""
        for ch in text:
            code, vk = key_code(ch)
            base = {"key": ch, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
            self.b.call("Input.dispatchKeyEvent", dict(base, type="rawKeyDown"))
            self.b.call("Input.dispatchKeyEvent", dict(base, type="char", text=ch, unmodifiedText=ch))
            self.b.call("Input.dispatchKeyEvent", dict(base, type="keyUp"))

    def hold_completions(self):
        """From now on the page's /api/complete requests wait for Fetch.continueRequest. Fetch.enable
        may take effect a little after it returns: a probe request is held first (tried again if
        it went through: the server's 405 for it is then an expected console error)."""
        self.b.call("Fetch.enable", {"patterns": [{"urlPattern": "*/api/complete*", "requestStage": "Request"}]})
        for _ in range(5):
            mark = len(self.b.events)
            self.b.evaluate("(fetch('/api/complete?probe').catch(() => null), 1)")
            try:
                probe = self.b.wait_event("Fetch.requestPaused", start=mark, timeout=3)
            except CdpError:
                self.escaped_probes += 1
                continue
            self.b.call("Fetch.fulfillRequest", {"requestId": probe["requestId"], "responseCode": 204,
                                                 "responseHeaders": []})
            return
        check(False, "the DevTools Fetch domain holds the page's completions")

    # ---- the server's answers --------------------------------------------------------------

    def complete(self, prefix):
        status, answer = self.server.post("/api/complete", {"text": self.source, "prefix": prefix, "k": 3,
                                                            "beam": 1, "attention": True})
        check(status == 200, "POST /api/complete answers 200 for %r" % prefix, str(answer))
        return answer

    def expect_completion(self, prefix, what, since=None):
        """Waits for the page's completion of prefix; checks the box against the server's."""
        cond = ("crosstalkPage.edit.prefix === %s" % json.dumps(prefix) if since is None
                else "crosstalkPage.edit.applied > %d" % since)
        self.b.wait_for("(() => { const s = document.body.dataset.edit; if (s === 'error') return 'error';"
                        " return s === 'ready' && %s; })()" % cond, timeout=120, what="the completion after " + what)
        if self.b.evaluate("document.body.dataset.edit") == "error":
            check(False, what + ": the page shows no error", self.b.evaluate("document.getElementById('error').textContent"))
        answer = self.complete(prefix)
        translation = answer["completion"]["translation"]
        check(translation.startswith(prefix), "the server's completion starts with the prefix %r" % prefix, translation)
        value = self.value()
        check(value.startswith(prefix), "a: %s: the box starts with the typed text" % what, repr(value))
        check(value == translation, "a: %s: the box holds the server's completion %r" % (what, translation), repr(value))
        check(self.caret() == [len(prefix), len(prefix)], "a: %s: the cursor stayed after the prefix" % what,
              str(self.caret()))
        self.last = answer
        return answer

    # ---- the checks ----------------------------------------------------------------------

    def check_suggestions(self, answer, what):
        """b: the list under the cursor = the server's alternatives. Returns its left edge, or None
        when the box has more than one line."""
        self.b.wait_for("!document.getElementById('suggestions').hidden", timeout=10, what="the next words " + what)
        got = self.b.evaluate(JS_SUGGESTIONS)
        want = [a["word"] for a in answer["alternatives"]]
        check(len(want) >= 1 and got["words"] == want, "b: %s: the next words under the cursor are the server's %s"
              % (what, want), str(got["words"]))
        probs_ok = all(abs(p - a["probability"]) <= 1e-9 + 1e-6 * a["probability"] and text.endswith("%")
                       for (p, text), a in zip(got["probs"], answer["alternatives"]))
        check(probs_ok, "b: %s: each with its probability" % what, str(got["probs"]))
        check(self.active() == 0, "b: %s: the first is highlighted (Tab takes it)" % what)
        check(got["boxTop"] + 0.8 * got["line"] <= got["top"] <= got["boxBottom"] + 4,
              "b: %s: the list is just under the line of the cursor" % what, str(got))
        if got["oneLine"]:
            check(abs(got["left"] - got["caretX"]) <= 3, "b: %s: the list starts at the cursor (x %.0f, cursor %.0f)"
                  % (what, got["left"], got["caretX"]))
        return got["left"] if got["oneLine"] else None

    def check_views(self, c, what, pieces=False):
        """c: the heatmap's (and links') rows are the completion's, the user's rows marked."""
        unit = "pieces" if pieces else "words"
        self.b.wait_for("document.getElementById('heatmap').dataset.unit === '%s'" % unit, timeout=10, what=unit)
        got = self.b.evaluate(JS_ROWS)
        rows = c["tgt_pieces"] if pieces else c["tgt_words"]
        check(got["labels"] == rows and got["links"] == rows, "c: %s: the heatmap's and links' rows are the %s of "
              "the current completion" % (what, unit), "%s vs %s" % (got["labels"], rows))
        full, partial = expected_marks(c, pieces)
        check(set(got["forced"]) == full and set(got["partial"]) == partial and
              set(got["linksForced"]) == full and set(got["linksPartial"]) == partial,
              "c: %s: exactly the user's rows are marked (prefix_word_pieces %d, prefix_pieces %d: %s written, "
              "%s begun)" % (what, c["prefix_word_pieces"], c["prefix_pieces"], sorted(full), sorted(partial)), str(got))
        check(got["bars"] == len(full) + len(partial) and got["legend"] and "completion" in got["title"],
              "c: %s: with a bar each, the legend under the heatmap, 'completion' in the title" % what, str(got))
        if pieces:
            check(sorted(full) == list(range(c["prefix_word_pieces"])),
                  "c: the first prefix_word_pieces pieces are marked as written")
        else:
            # The marked words are the prefix's first words, in order.
            words = c["prefix"].split()
            check(sorted(full) == list(range(len(full))) and [rows[w] for w in sorted(full)] == words[:len(full)]
                  and len(full) >= len(words) - (0 if c["prefix"][-1:].isspace() else 1),
                  "c: %s: the marked words are the words typed (%s)" % (what, words))

    def check_hover_yours(self):
        x, y = center(self.b, '#heatmap .row-label[data-row="0"]')
        self.b.mouse_move(x, y)
        self.b.wait_for("document.getElementById('readout').textContent.includes('(yours)')", timeout=10,
                        what="the readout of a row the user wrote")
        check(True, "c: hovering a row the user wrote: the readout says it is theirs")
        self.b.mouse_move(1, 1)

    def accept_with(self, action, alt, before_word, how):
        """b: takes next word alt by action(); the box just after it, then the fresh completion."""
        head = before_word + alt["word"]
        comp = alt["completion"]
        check(comp.startswith(head), "the server's completion for next word %r starts with %r" % (alt["word"], head), comp)
        rest = comp[len(head):]
        m = re.match(r"\s+", rest)
        gap = m.group(0) if m else (" " if not rest else "")
        expected = head + gap + rest[len(gap) if m else 0:]
        caret = len(head + gap)
        self.hold_completions()
        try:
            mark = len(self.b.events)
            action()
            paused = self.b.wait_event("Fetch.requestPaused", start=mark, timeout=30)
            body = json.loads(paused["request"].get("postData") or "{}")
            check(self.value() == expected and self.caret() == [caret, caret],
                  "b: %s takes %r: the word, its completion after it, the cursor after the word" % (how, alt["word"]),
                  "%r caret %s, expected %r caret %d" % (self.value(), self.caret(), expected, caret))
            check(body.get("prefix") == expected[:caret] and body.get("text") == self.source,
                  "b: %s: ... and asks for a fresh completion from there" % how, str(body))
            self.b.call("Fetch.continueRequest", {"requestId": paused["requestId"]})
        finally:
            self.b.call("Fetch.disable")
        answer = self.expect_completion(expected[:caret], "taking %r with %s" % (alt["word"], how))
        self.check_views(answer["completion"], "after taking %r" % alt["word"])
        return answer

    def check_stale(self):
        """e: a request held until the text changed: its answer is not used."""
        applied = self.applied()
        prefix = self.value()[:self.caret()[0]]
        self.hold_completions()
        try:
            mark = len(self.b.events)
            self.type("b")
            first = self.b.wait_event("Fetch.requestPaused", start=mark, timeout=30)
            mark = len(self.b.events)
            self.type("i")
            second = self.b.wait_event("Fetch.requestPaused", start=mark, timeout=30)
            try:  # the page aborted it: continuing it may fail, or answer into the void
                self.b.call("Fetch.continueRequest", {"requestId": first["requestId"]})
            except CdpError:
                pass
            self.b.call("Fetch.continueRequest", {"requestId": second["requestId"]})
        finally:
            self.b.call("Fetch.disable")
        self.expect_completion(prefix + "bi", "a held request and more typing")
        check(self.applied() == applied + 1, "e: the answer to the older request (before 'i') was not used",
              "%d completions applied, expected %d" % (self.applied(), applied + 1))
