// Text heatmaps for the terminal: shade blocks or 256-colour backgrounds, 2 columns per cell.
#include "crosstalk/render/terminal_heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "utf8_text.h"

namespace crosstalk::render {
namespace {

using heatmap_detail::display_width;
using heatmap_detail::first_code_points;
using heatmap_detail::sanitize_utf8;

constexpr std::size_t kLegendWidth = 100;  // wrap the word legend at about this many columns
const char* const kReset = "\x1b[0m";
const char* const kForced = "\u203a";  // ›: a row the user wrote
const char* const kLinkColor = "\x1b[1;38;5;196m";  // bold bright red foreground

/// The shade block for a weight, doubled to fill a 2-column cell. Thresholds: see the header.
const char* shade(float weight) {
  if (!(weight >= 0.1f)) return "  ";  // also NaN
  if (weight < 0.25f) return "\u2591\u2591";
  if (weight < 0.5f) return "\u2592\u2592";
  if (weight < 0.75f) return "\u2593\u2593";
  return "\u2588\u2588";
}

/// A 2-column cell with a grayscale background: 232 (near black) for 0 to 255 (near white) for 1.
std::string color_cell(float weight) {
  const double v = std::isnan(weight) ? 0.0 : std::clamp(static_cast<double>(weight), 0.0, 1.0);
  return "\x1b[48;5;" + std::to_string(232 + std::lround(23 * v)) + "m  ";
}

/// A linked cell: the cell's first character kept, its second one a '*' (red on the colour
/// background).
std::string linked_cell(float weight, bool color) {
  if (color) {
    std::string cell = color_cell(weight);  // "\x1b[48;5;Nm" and two spaces
    cell.pop_back();
    return cell + kLinkColor + "*\x1b[22;39m";
  }
  const std::string cell = shade(weight);  // two equal characters
  return cell.substr(0, cell.size() / 2) + "*";
}

/// Which cells (row-major) the links mark; links outside the matrix are ignored.
std::vector<bool> linked_cells(const align::LabeledMatrix& m, const align::Alignment& links) {
  std::vector<bool> linked(static_cast<std::size_t>(m.n_rows() * m.n_cols()), false);
  for (const align::Link& link : links) {
    if (link.src >= 0 && link.src < m.n_cols() && link.tgt >= 0 && link.tgt < m.n_rows())
      linked[static_cast<std::size_t>(link.tgt * m.n_cols() + link.src)] = true;
  }
  return linked;
}

std::string fit_label(const std::string& raw, std::size_t max_label) {
  std::string label = sanitize_utf8(raw);
  if (display_width(label) > max_label) label = first_code_points(label, max_label - 1) + "\u2026";
  return label;
}

}  // namespace

std::string terminal_heatmap(const align::LabeledMatrix& m, const TerminalHeatmapOptions& options) {
  if (m.n_rows() == 0 || m.n_cols() == 0) return "(empty attention map)\n";
  if (m.weights.size() != static_cast<std::size_t>(m.n_rows() * m.n_cols())) {
    throw std::invalid_argument("terminal_heatmap: " + std::to_string(m.weights.size()) + " weights for " +
                                std::to_string(m.n_rows()) + " x " + std::to_string(m.n_cols()) + " cells");
  }
  const std::size_t max_label = static_cast<std::size_t>(std::max(2, options.max_label));
  std::vector<std::string> labels;
  std::size_t label_width = 0;
  for (const auto& row : m.rows) {
    labels.push_back(fit_label(row, max_label));
    label_width = std::max(label_width, display_width(labels.back()));
  }
  const std::string indent(label_width + 1, ' ');
  std::string out;

  // Column indices, one digit per header line from the most significant down.
  std::size_t digits = 1;
  for (int64_t p = 10; p <= m.n_cols() - 1; p *= 10) ++digits;
  for (std::size_t d = digits; d-- > 0;) {
    int64_t place = 1;
    for (std::size_t k = 0; k < d; ++k) place *= 10;
    std::string line = indent;
    for (int64_t c = 0; c < m.n_cols(); ++c) {
      line += ' ';
      line += (c >= place || d == 0) ? static_cast<char>('0' + (c / place) % 10) : ' ';
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }

  const std::vector<bool> linked = linked_cells(m, options.links);
  for (int64_t r = 0; r < m.n_rows(); ++r) {
    const std::string& label = labels[static_cast<std::size_t>(r)];
    out += label + std::string(label_width - display_width(label), ' ') + (r < options.forced_rows ? kForced : " ");
    for (int64_t c = 0; c < m.n_cols(); ++c) {
      const float w = m.at(r, c);
      if (linked[static_cast<std::size_t>(r * m.n_cols() + c)]) out += linked_cell(w, options.color);
      else out += options.color ? color_cell(w) : shade(w);
    }
    if (options.color) out += kReset;
    out += "\n";
  }

  // Which source word each column is.
  out += "\n";
  std::string line;
  for (int64_t c = 0; c < m.n_cols(); ++c) {
    const std::string item = std::to_string(c) + " " + sanitize_utf8(m.cols[static_cast<std::size_t>(c)]);
    if (!line.empty() && display_width(line) + 2 + display_width(item) > kLegendWidth) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : "  ") + item;
  }
  out += line + "\n";

  if (options.color) {
    out += "0 ";
    for (const float v : {0.0f, 0.25f, 0.5f, 0.75f, 1.0f}) out += color_cell(v);
    out += std::string(kReset) + " 1  (attention weight)\n";
  } else {
    out += "\u2591 \u22650.10  \u2592 \u22650.25  \u2593 \u22650.50  \u2588 \u22650.75  (attention weight)\n";
  }
  if (std::find(linked.begin(), linked.end(), true) != linked.end())
    out += "* alignment link (target word of the row, source word of the column)\n";
  if (options.forced_rows > 0) out += std::string(kForced) + " rows you wrote (the prefix's complete words)\n";
  return out;
}

}  // namespace crosstalk::render
