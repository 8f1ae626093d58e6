#!/usr/bin/env python3
"""Browser test of the page of `crosstalk serve`, in a real headless chromium.

Trains a tiny model (configs/tiny.toml, two decoder layers, a few seconds), starts
`crosstalk serve --model DIR --port 0`, opens /?text=<a toy sentence> in Debian's chromium
(driven over the DevTools protocol on a pipe: tests/browser/cdp_pipe.py) and checks the
rendered DOM against the JSON the server returns for the same request. Exit code 0 = pass.

  python3 tests/browser/test_page.py --binary build/crosstalk [--model DIR] [--screenshot PNG]

Registered with ctest as `browser_page` (tests/CMakeLists.txt).
"""

import base64
import json
import os
import struct
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import argument_parser, cells, center, check, run, wait_ready  # noqa: E402

SENTENCE = "ein mann mag das grüne pferd"          # data/toy/valid.de, line 3
ALIGN_TARGET = "a man likes the green horse"       # data/toy/valid.en, line 3


def viridis(w):
    stops = [(0x44, 0x01, 0x54), (0x47, 0x2D, 0x7B), (0x3B, 0x52, 0x8B), (0x2C, 0x72, 0x8E), (0x21, 0x90, 0x8C),
             (0x27, 0xAD, 0x81), (0x5D, 0xC8, 0x63), (0xAA, 0xDC, 0x32), (0xFD, 0xE7, 0x25)]
    v = min(1.0, max(0.0, w))
    pos = v * 8
    i = min(int(pos), 7)
    t = pos - i
    return tuple(int(a + (b - a) * t + 0.5) for a, b in zip(stops[i], stops[i + 1]))


def hex_rgb(h):
    h = h.lstrip("#")
    return tuple(int(h[k:k + 2], 16) for k in (0, 2, 4))


def describe(layer, head, layers, heads):
    s = "all %d layers averaged" % layers if layer == 0 else "layer %d of %d" % (layer, layers)
    return s + (", heads averaged" if head == 0 else ", head %d of %d" % (head, heads))


def png_size(data):
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "the PNG has a PNG signature")
    return struct.unpack(">II", data[16:24])


# ---- the page ----------------------------------------------------------------------------

def select(b, element_id, value):
    b.evaluate("(() => { const s = document.getElementById(%s); s.value = %s;"
               " s.dispatchEvent(new Event('change', {bubbles: true})); })()" % (json.dumps(element_id), json.dumps(value)))


def title(b):
    return b.evaluate("document.getElementById('heatmap-title').textContent")


def hover_cells(b, selector):
    """Moves the real mouse onto an element; returns the (row, col) of the highlighted cells."""
    x, y = center(b, selector)
    b.mouse_move(x, y)
    b.wait_for("document.querySelectorAll('#heatmap rect.cell.hl').length > 0", timeout=10,
               what="highlighted cells after hovering " + selector)
    return sorted((r, c) for r, c, _, hl in cells(b) if hl)


def check_result(b, res):
    """The translation, the n-best, and one labelled cell per word pair."""
    n_src_words, n_tgt_words = len(res["src_words"]), len(res["tgt_words"])   # EOS included
    # Translation (in the editable box, a textarea: tests/browser/test_edit.py), n-best.
    check(b.evaluate("document.getElementById('translation').value") == res["translation"],
          "the page shows the server's translation", res["translation"])
    shown = b.evaluate("[...document.querySelectorAll('#nbest .hyp')].map(e => e.textContent)")
    check(shown == [h["text"] for h in res["nbest"]], "the page lists the n-best of the server", str(shown))

    # Cells: one per (target word + EOS) x (source word + EOS), each with data-row/data-col.
    got = cells(b)
    check(len(got) == n_tgt_words * n_src_words, "word mode: cells = (target words+1) x (source words+1) = %d x %d"
          % (n_tgt_words, n_src_words), "got %d cells" % len(got))
    check(sorted((r, c) for r, c, _, _ in got) == [(r, c) for r in range(n_tgt_words) for c in range(n_src_words)],
          "every cell has its own data-row/data-col")
    labels = b.evaluate("[[...document.querySelectorAll('#heatmap .row-label')].map(e => e.textContent),"
                        " [...document.querySelectorAll('#heatmap .col-label')].map(e => e.textContent)]")
    check(labels == [res["tgt_words"], res["src_words"]], "rows are the target words, columns the source words")


def check_selection(b, res, layers, heads):
    """The layer and head selectors: the default selection and its colours, every layer and head."""
    got = cells(b)
    # The default selection, and its colours against the server's word_attention.
    check(b.evaluate("document.getElementById('layer').value") == str(res["selection_layer"]) and
          b.evaluate("document.getElementById('head').value") == str(res["selection_head"]),
          "the selectors start at the response's selection_layer/selection_head")
    t0 = title(b)
    check(describe(res["selection_layer"], res["selection_head"], layers, heads) in t0 and res["selection"] in t0,
          "the title names the default layer and head", t0)
    worst = 0
    for r, c, fill, _ in got:
        expected = viridis(res["word_attention"][r][c])
        worst = max(worst, max(abs(a - e) for a, e in zip(hex_rgb(fill), expected)))
    check(worst <= 1, "cell colours = viridis(word_attention) of the server (merged in the page from the pieces)",
          "largest channel difference %d" % worst)

    # Selectors: every layer and head of /api/model, plus averaged.
    opts = b.evaluate("[[...document.getElementById('layer').options].map(o => o.value),"
                      " [...document.getElementById('head').options].map(o => o.value)]")
    check(sorted(opts[0]) == sorted([str(k) for k in range(1, layers + 1)] + ["0"]),
          "the layer selector lists layers 1..%d and all averaged" % layers, str(opts[0]))
    check(sorted(opts[1]) == sorted([str(k) for k in range(1, heads + 1)] + ["0"]),
          "the head selector lists heads 1..%d and averaged" % heads, str(opts[1]))
    fills0 = [f for _, _, f, _ in got]
    seen_titles = {t0}
    for head in range(1, heads + 1):
        select(b, "head", str(head))
        t = title(b)
        check(("head %d of %d" % (head, heads)) in t and t not in seen_titles, "head %d: the title says so" % head, t)
        seen_titles.add(t)
        fills = [f for _, _, f, _ in cells(b)]
        check(len(fills) == len(fills0) and fills != fills0, "head %d: the cells change colour" % head)
    select(b, "head", str(res["selection_head"]))
    for layer in list(range(1, layers + 1)) + [0]:
        select(b, "layer", str(layer))
        t = title(b)
        want = "all %d layers averaged" % layers if layer == 0 else "layer %d of %d" % (layer, layers)
        check(want in t, "layer %s: the title says '%s'" % (layer or "all", want), t)
        if layer != res["selection_layer"] and layers > 1:
            check([f for _, _, f, _ in cells(b)] != fills0, "layer %s: the cells change colour" % (layer or "all"))
    select(b, "layer", str(res["selection_layer"]))
    check([f for _, _, f, _ in cells(b)] == fills0, "back at the default selection, the default colours")


def check_pieces_and_hover(b, res):
    """The pieces toggle, and hovering words and cells with the real mouse."""
    n_src_words, n_tgt_words = len(res["src_words"]), len(res["tgt_words"])   # EOS included
    n_src_pieces, n_tgt_pieces = len(res["src_pieces"]), len(res["tgt_pieces"])
    # Pieces and words.
    x, y = center(b, "#pieces")
    b.click(x, y)
    b.wait_for("document.getElementById('pieces').checked", timeout=10, what="the pieces toggle")
    n = len(cells(b))
    check(n == n_tgt_pieces * n_src_pieces, "pieces: cells = target pieces x source pieces = %d x %d"
          % (n_tgt_pieces, n_src_pieces), "got %d" % n)
    check("pieces" in title(b), "pieces: the title says pieces", title(b))
    b.click(x, y)
    b.wait_for("!document.getElementById('pieces').checked", timeout=10, what="the words toggle")
    check(len(cells(b)) == n_tgt_words * n_src_words, "words again: the word cell count")

    # Hover with real mouse events.
    b.mouse_move(1, 1)
    check(not any(hl for _, _, _, hl in cells(b)), "nothing is highlighted before hovering")
    row0 = hover_cells(b, '#heatmap .row-label[data-row="0"]')
    check(row0 == [(0, c) for c in range(n_src_words)], "hovering target word 0 (heatmap label) highlights its row",
          str(row0))
    attended = b.evaluate("[...document.querySelectorAll('#heatmap .col-label.attended, #heatmap .col-label.current')].length")
    check(attended >= 1, "... and marks the source words it attends to")
    row1 = hover_cells(b, '#links .tw[data-row="1"]')
    check(row1 == [(1, c) for c in range(n_src_words)] and row1 != row0,
          "hovering target word 1 (links view) changes the highlighted cells to row 1", str(row1))
    on = b.evaluate("[...document.querySelectorAll('#links line.link.on')].map(l => +l.dataset.row)")
    check(len(on) >= 1 and set(on) == {1}, "... and shows only its links", str(on))
    col = hover_cells(b, '#links .sw[data-col="1"]')
    check(col == [(r, 1) for r in range(n_tgt_words)], "hovering source word 1 highlights the target words' column",
          str(col))
    widths = b.evaluate("[...document.querySelectorAll('#links line.link')].map(l => [+l.getAttribute('stroke-width'),"
                        " +l.dataset.row, +l.dataset.col])")
    state_w = b.evaluate("crosstalkPage.state.view.w")
    check(widths and all(abs(w - max(0.4, state_w[r][c] * 8)) < 0.02 for w, r, c in widths),
          "link line width = weight (x 8 px)")
    x, y = center(b, '#heatmap rect.cell[data-row="%d"][data-col="0"]' % (n_tgt_words - 1))
    b.mouse_move(x, y)
    b.wait_for("document.getElementById('readout').textContent.includes('</s>')", timeout=10, what="the cell readout")


def check_downloads(b, res, args, out_dir):
    """A screenshot, and the SVG, PNG and JSON downloads."""
    n_src_words, n_tgt_words = len(res["src_words"]), len(res["tgt_words"])   # EOS included
    # Screenshot (hovering a target word in the middle of the sentence).
    hover_cells(b, '#links .tw[data-row="%d"]' % min(2, n_tgt_words - 1))
    shot = b.screenshot(args.screenshot or os.path.join(out_dir, "serve.png"))
    w, h = png_size(shot)
    check(w >= 800 and h >= 400, "a screenshot of the page (%dx%d)" % (w, h))

    # Downloads: the SVG is well-formed XML with the cells; the PNG is drawn from it.
    svg = b.evaluate("crosstalkPage.heatmapSvgText()")
    root = ET.fromstring(svg.split("?>", 1)[1])
    rects = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.get("data-row") is not None]
    check(len(rects) == n_tgt_words * n_src_words, "the SVG download is well-formed XML with every cell")
    data_url = b.evaluate("crosstalkPage.pngDataUrl(1)", timeout=60)
    pw, ph = png_size(base64.b64decode(data_url.split(",", 1)[1]))
    check((pw, ph) == (int(root.get("width")), int(root.get("height"))), "the PNG download is the SVG's size")
    data = json.loads(b.evaluate("crosstalkPage.dataJson()"))
    check(data["result"]["translation"] == res["translation"] and len(data["weights"]) == n_tgt_words,
          "the JSON download holds the result and the current view")


def check_align_typing_errors(b, server):
    """Forced alignment from the URL, typing and Enter, API errors shown to the user."""
    # Forced alignment from the URL.
    b.navigate(server.url + "/?" + urllib.parse.urlencode({"text": SENTENCE, "target": ALIGN_TARGET}))
    wait_ready(b, "the heatmap of /?text=...&target=...")
    status, al = server.post("/api/align", {"source": SENTENCE, "target": ALIGN_TARGET})
    check(status == 200, "POST /api/align answers 200", str(al))
    check(b.evaluate("document.getElementById('mode-align').checked") and
          b.evaluate("document.getElementById('translation').value") == ALIGN_TARGET,
          "/?text=...&target=... does a forced alignment on load")
    check(len(cells(b)) == len(al["tgt_words"]) * len(al["src_words"]) and "forced alignment" in title(b),
          "forced alignment: its cells and title", title(b))

    # Typing a sentence and pressing Enter; an API error is shown to the user.
    b.evaluate("document.getElementById('mode-translate').click()")
    b.evaluate("(() => { const s = document.getElementById('source'); s.value = ''; s.focus(); })()")
    b.call("Input.insertText", {"text": "ein pferd schläft"})
    b.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13})
    b.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13})
    b.wait_for("document.body.dataset.state === 'ready' && location.search.includes('schl')", timeout=120,
               what="a translation after typing and Enter")
    status, r2 = server.post("/api/translate", {"text": "ein pferd schläft", "beam": 4, "nbest": 4, "attention": True})
    check(b.evaluate("document.getElementById('translation').value") == r2["translation"] and
          len(cells(b)) == len(r2["tgt_words"]) * len(r2["src_words"]), "typing + Enter translates and redraws")
    # An error from the API ({"error": ...}, here a 503 put in place of the server's answer
    # by the DevTools Fetch domain) is shown to the user.
    b.call("Fetch.enable", {"patterns": [{"urlPattern": "*/api/translate*", "requestStage": "Request"}]})
    mark = len(b.events)
    b.evaluate("document.getElementById('source').value = 'ein pferd'; document.getElementById('go').click()")
    paused = b.wait_event("Fetch.requestPaused", start=mark, timeout=30)
    body = json.dumps({"error": "the request queue is full (test)"}).encode("utf-8")
    b.call("Fetch.fulfillRequest", {"requestId": paused["requestId"], "responseCode": 503,
                                    "responseHeaders": [{"name": "Content-Type", "value": "application/json"}],
                                    "body": base64.b64encode(body).decode("ascii")})
    b.call("Fetch.disable")
    b.wait_for("document.body.dataset.state === 'error'", timeout=30, what="the page's error state")
    shown = b.evaluate("[document.getElementById('error').hidden, document.getElementById('error').textContent]")
    check(not shown[0] and "the request queue is full (test)" in shown[1] and "503" in shown[1],
          "an API error ({\"error\": ...}, HTTP 503) is shown to the user", str(shown))
    b.evaluate("document.getElementById('mode-align').click()")
    b.evaluate("document.getElementById('source').value = 'ein pferd'; document.getElementById('target').value = ' ';")
    b.evaluate("document.getElementById('go').click()")
    b.wait_for("document.getElementById('error').textContent.includes('target')", timeout=10, what="the error box")
    check(not b.evaluate("document.getElementById('error').hidden"),
          "an empty target in forced-alignment mode is reported to the user")


def check_model_tab(b, server, model, args):
    """The model tab: facts and the training curves of /api/train_log."""
    # Model tab: facts and the training curves of /api/train_log.
    log = server.get("/api/train_log")["entries"]
    n_train = len([e for e in log if e.get("event") == "train" and "loss" in e])
    n_bleu = len([e for e in log if e.get("event") == "valid" and "bleu" in e])
    x, y = center(b, "#tab-model")
    b.click(x, y)
    b.wait_for("document.body.dataset.model === 'ready' && !document.getElementById('panel-model').hidden",
               timeout=30, what="the model tab")
    facts = b.evaluate("document.getElementById('model-facts').textContent")
    check(str(model["heads"]) in facts and model["default_selection"]["description"] in facts,
          "the model tab shows /api/model (heads, default selection)")
    check(n_train >= 2 and n_bleu >= 1, "the tiny model's train_log has train and valid lines (%d, %d)" % (n_train, n_bleu))
    pts = b.evaluate("(() => { const p = document.querySelector('#loss-chart polyline.curve.train');"
                     " return p ? [+p.dataset.points, p.getAttribute('points').trim().split(/\\s+/).length,"
                     " p.getBoundingClientRect().width] : null; })()")
    check(pts and pts[0] == n_train and pts[1] == n_train and pts[2] > 100,
          "the model tab draws the training loss curve with one point per train line", str(pts))
    pts = b.evaluate("(() => { const p = document.querySelector('#bleu-chart polyline.curve.bleu');"
                     " return p ? +p.dataset.points : null; })()")
    check(pts == n_bleu, "the model tab draws validation BLEU with one point per valid line", str(pts))
    if args.screenshot_model:
        b.screenshot(args.screenshot_model)


def run_checks(b, server, args, out_dir):
    model = server.get("/api/model")
    status, res = server.post("/api/translate", {"text": SENTENCE, "beam": 4, "nbest": 4, "attention": True})
    check(status == 200, "POST /api/translate answers 200", str(res))
    b.open_page()
    b.navigate(server.url + "/?" + urllib.parse.urlencode({"text": SENTENCE}))
    wait_ready(b, "the heatmap of /?text=...")
    check_result(b, res)
    check_selection(b, res, model["layers"], model["heads"])
    check_pieces_and_hover(b, res)
    check_downloads(b, res, args, out_dir)
    check_align_typing_errors(b, server)
    check_model_tab(b, server, model, args)
    # (the 503 put in place above is logged by the browser as a failed resource: expected)
    errors = [e for e in b.errors() if "status of 503" not in e]
    check(not errors, "no JavaScript errors", "\n".join(errors))


def main():
    ap = argument_parser(__doc__)
    ap.add_argument("--mock", action="store_true", help="serve with tests/browser/mock_serve.py, not `crosstalk serve`")
    ap.add_argument("--screenshot", help="write the page's screenshot here (default: in the temp dir)")
    ap.add_argument("--screenshot-model", help="also a screenshot of the model tab")
    return run(ap.parse_args(), run_checks)


if __name__ == "__main__":
    sys.exit(main())
