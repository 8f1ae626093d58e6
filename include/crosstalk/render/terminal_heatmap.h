#pragma once

#include <string>

#include "crosstalk/align/alignment.h"
#include "crosstalk/align/labeled_matrix.h"

namespace crosstalk::render {

struct TerminalHeatmapOptions {
  /// true: each cell is a 256-colour background (grayscale ramp, dark = 0, white = 1);
  /// false: Unicode shade blocks.
  bool color = false;
  /// Row labels longer than this many characters are cut and end in '…' (values below 2 count as 2).
  int max_label = 14;
  /// Word alignment links to mark (row link.tgt, column link.src): the cell's second
  /// character becomes '*' (shades: "▓*", " *" for a weight below 0.10; colour: a red '*'
  /// on the cell's background) and a key line says so. Links outside the matrix are ignored.
  align::Alignment links;
  /// The first forced_rows rows were written by the user (a target prefix): '›' instead of
  /// the space between their label and their cells, and a key line says so.
  int64_t forced_rows = 0;
};

/// A compact text heatmap of `m` for the terminal, every line ending in '\n':
///   - header: the column indices, one cell (2 characters) per source word. Indices of more than
///     one digit are written vertically, one digit per header line (tens above units);
///   - one line per target word: its label, right-padded to the longest label (display width:
///     UTF-8 code points), a space, then one 2-character cell per source word. Shades:
///     weight < 0.10 "  ", < 0.25 "░░", < 0.50 "▒▒", < 0.75 "▓▓", else "██" (NaN counts as 0).
///     With options.color each cell is "\x1b[48;5;Nm" + two spaces, N = 232 + round(23 * weight),
///     and the line ends with "\x1b[0m";
///   - a blank line, then the legend of source words "0 Ein  1 Mann  2 fährt ...", wrapped at
///     about 100 columns;
///   - a key line for the shades, or for the colour ramp;
///   - when a link is in the matrix, one more line: "* alignment link (...)";
///   - when a row is forced, one more line: "› rows you wrote (...)".
/// An empty matrix (0 rows or 0 columns) gives the single line "(empty attention map)"; a
/// weights size other than rows * cols throws std::invalid_argument.
/// Labels are made printable first: control characters and invalid UTF-8 become U+FFFD
/// (tab and newline a space), so a word cannot break a line or inject an escape sequence.
std::string terminal_heatmap(const align::LabeledMatrix& m, const TerminalHeatmapOptions& options = {});

}  // namespace crosstalk::render
