// Alignment links marked on heatmaps: in the SVG (and so the PNG, drawn from the same scene)
// every link outlines its cell and nothing else is outlined, each panel with its own links;
// the terminal heatmap marks exactly the linked cells with '*'.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "crosstalk/render/heatmap.h"
#include "crosstalk/render/terminal_heatmap.h"
#include "heatmap_svg.h"
#include "temp_dir.h"

namespace al = crosstalk::align;

namespace {

/// A hand-made rows x cols matrix with uneven weights (labels t0.. / s0..).
al::LabeledMatrix matrix(int rows, int cols) {
  al::LabeledMatrix m;
  for (int c = 0; c < cols; ++c) m.cols.push_back("s" + std::to_string(c));
  for (int r = 0; r < rows; ++r) {
    m.rows.push_back("t" + std::to_string(r));
    for (int c = 0; c < cols; ++c) m.weights.push_back(static_cast<float>((r * 7 + c * 3) % 10) / 10.0f);
  }
  return m;
}

/// How many link marks (<rect class="link">) each cell (row, col) of `panel` holds: a mark
/// belongs to a cell when it lies inside its box.
std::map<std::pair<int64_t, int64_t>, int> marks_per_cell(const crosstalk::render::Heatmap& heatmap, std::size_t panel,
                                                        const SvgInfo& info) {
  std::map<std::pair<int64_t, int64_t>, int> count;
  const auto& m = heatmap.panels[panel].matrix;
  for (const auto& rect : info.rects) {
    if (rect.count("class") == 0 || rect.at("class") != "link") continue;
    const double x = std::stod(rect.at("x")), y = std::stod(rect.at("y"));
    const double w = std::stod(rect.at("width")), h = std::stod(rect.at("height"));
    for (int64_t r = 0; r < m.n_rows(); ++r) {
      for (int64_t c = 0; c < m.n_cols(); ++c) {
        const crosstalk::render::CellBox box = crosstalk::render::heatmap_cell(heatmap, panel, r, c);
        if (x >= box.x && y >= box.y && x + w <= box.x + box.w && y + h <= box.y + box.h) ++count[{r, c}];
      }
    }
  }
  return count;
}

std::size_t link_rects(const SvgInfo& info) {
  return static_cast<std::size_t>(std::count_if(info.rects.begin(), info.rects.end(), [](const auto& rect) {
    return rect.count("class") == 1 && rect.at("class") == "link";
  }));
}

/// The code points of a UTF-8 line.
std::vector<std::string> code_points(const std::string& line) {
  std::vector<std::string> out;
  for (const char ch : line) {
    if ((static_cast<unsigned char>(ch) & 0xC0u) != 0x80u) out.emplace_back();
    out.back() += ch;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("heatmap links: the SVG outlines exactly the linked cells", "[align][heatmap]") {
  crosstalk::render::Heatmap heatmap{"t", {{"", matrix(5, 6), {{0, 0}, {2, 1}, {1, 2}, {5, 3}, {2, 4}}}}};
  const SvgInfo info = parse_svg(crosstalk::render::render_svg(heatmap));
  REQUIRE(link_rects(info) == heatmap.panels[0].links.size());
  const auto marks = marks_per_cell(heatmap, 0, info);
  for (int64_t r = 0; r < 5; ++r) {
    for (int64_t c = 0; c < 6; ++c) {
      const auto& links = heatmap.panels[0].links;
      const bool linked = std::find(links.begin(), links.end(), al::Link{c, r}) != links.end();
      INFO("row " << r << ", column " << c);
      CHECK(marks.count({r, c}) == (linked ? 1u : 0u));
    }
  }
  for (const auto& rect : info.rects) {
    if (rect.count("class") == 0 || rect.at("class") != "link") continue;
    CHECK(rect.at("fill") == "none");
    CHECK(rect.at("stroke") == "#e41a1c");
  }
  // One note says what the marks are, with a sample mark of its own.
  CHECK(std::count(info.texts.begin(), info.texts.end(), crosstalk::render::kDefaultLinksNote) == 1);
  const auto is_key = [](const auto& rect) { return rect.count("class") == 1 && rect.at("class") == "link-key"; };
  CHECK(std::count_if(info.rects.begin(), info.rects.end(), is_key) == 1);

  // Without links: no mark, no note, and the same image as before links existed.
  heatmap.panels[0].links.clear();
  const SvgInfo plain = parse_svg(crosstalk::render::render_svg(heatmap));
  CHECK(link_rects(plain) == 0);
  CHECK(std::count(plain.texts.begin(), plain.texts.end(), crosstalk::render::kDefaultLinksNote) == 0);
  CHECK(plain.rects.size() + 5 + 1 == info.rects.size());
}

TEST_CASE("heatmap rows the user wrote: a bar beside each of them, in the label gap, none elsewhere",
          "[align][heatmap]") {
  for (int64_t forced : {0, 1, 3, 5}) {
    crosstalk::render::Heatmap heatmap{"t", {{"", matrix(5, 6), {}, forced}}};
    const SvgInfo info = parse_svg(crosstalk::render::render_svg(heatmap));
    std::vector<int64_t> rows_marked;
    for (const auto& rect : info.rects) {
      if (rect.count("class") == 0 || rect.at("class") != "forced") continue;
      const double x = std::stod(rect.at("x")), y = std::stod(rect.at("y"));
      const double w = std::stod(rect.at("width")), h = std::stod(rect.at("height"));
      for (int64_t r = 0; r < 5; ++r) {
        const auto box = crosstalk::render::heatmap_cell(heatmap, 0, r, 0);
        if (y >= box.y && y + h <= box.y + box.h) {
          rows_marked.push_back(r);
          CHECK(x + w <= box.x);  // left of the cells, not over them
        }
      }
    }
    INFO(forced << " rows forced");
    std::vector<int64_t> expected;
    for (int64_t r = 0; r < forced; ++r) expected.push_back(r);
    CHECK(rows_marked == expected);
  }
}

TEST_CASE("heatmap links: each panel of a figure shows its own links", "[align][heatmap]") {
  const al::Alignment forward{{0, 0}, {1, 1}, {1, 2}}, reverse{{0, 0}, {2, 1}}, both{{0, 0}};
  crosstalk::render::Heatmap heatmap{"t", {{"forward", matrix(3, 4), forward}, {"reverse", matrix(3, 4), reverse},
                            {"symmetrized", matrix(3, 4), both}}, "each panel's links"};
  const SvgInfo info = parse_svg(crosstalk::render::render_svg(heatmap));
  CHECK(link_rects(info) == forward.size() + reverse.size() + both.size());
  CHECK(std::count(info.texts.begin(), info.texts.end(), "each panel's links") == 1);
  for (std::size_t p = 0; p < heatmap.panels.size(); ++p) {
    const auto marks = marks_per_cell(heatmap, p, info);
    int total = 0;
    for (const auto& [cell, n] : marks) total += n;
    INFO("panel " << p);
    CHECK(total == static_cast<int>(heatmap.panels[p].links.size()));
    for (const auto& link : heatmap.panels[p].links) CHECK(marks.count({link.tgt, link.src}) == 1);
  }
}

TEST_CASE("heatmap links: a link outside the matrix is rejected, a PNG with links is written", "[align][heatmap]") {
  const crosstalk::render::Heatmap outside{"t", {{"", matrix(2, 3), {{3, 0}}}}};
  CHECK_THROWS_AS(crosstalk::render::render_svg(outside), std::invalid_argument);
  CHECK_THROWS_WITH(crosstalk::render::render_svg(outside), Catch::Contains("link 3-0"));
  CHECK_THROWS_AS(crosstalk::render::heatmap_size(crosstalk::render::Heatmap{"t", {{"", matrix(2, 3), {{0, 2}}}}}), std::invalid_argument);
  ScopedTempDir dir("heatmap-links");
  const crosstalk::render::Heatmap ok{"t", {{"", matrix(2, 3), {{2, 1}}}}};
  const std::string path = (dir.path / "map.png").string();
  crosstalk::render::write_png(ok, path);
  CHECK(std::ifstream(path).good());
}

TEST_CASE("terminal heatmap links: a star in exactly the linked cells and a key line", "[align][heatmap]") {
  al::LabeledMatrix m;
  m.cols = {"Ein", "Mann", "fährt"};
  m.rows = {"fährt", "A", "rides"};
  m.weights = {1.0f, 0.0f, 0.0f,  //
               0.0f, 0.3f, 0.7f,  //
               0.05f, 0.15f, 0.8f};
  crosstalk::render::TerminalHeatmapOptions options;
  options.links = {{0, 0}, {2, 1}, {0, 2}, {2, 2}};
  const auto lines = lines_of(crosstalk::render::terminal_heatmap(m, options));
  REQUIRE(lines.size() == 8);  // header, 3 rows, blank, word legend, shade key, link key
  const std::size_t label_width = 5 + 1;
  int stars = 0;
  for (int64_t r = 0; r < 3; ++r) {
    const auto points = code_points(lines[static_cast<std::size_t>(1 + r)]);
    REQUIRE(points.size() == label_width + 2 * 3);
    for (int64_t c = 0; c < 3; ++c) {
      const std::string first = points[label_width + 2 * c], second = points[label_width + 2 * c + 1];
      const bool linked = std::find(options.links.begin(), options.links.end(), al::Link{c, r}) != options.links.end();
      INFO("row " << r << ", column " << c);
      CHECK((second == "*") == linked);
      CHECK(first != "*");
      stars += second == "*";
    }
  }
  CHECK(stars == 4);
  CHECK(lines[1] == "fährt █*    ");  // the shade stays in the first character
  CHECK(lines[3] == "rides  *░░█*");
  CHECK(lines[7].rfind("* alignment link", 0) == 0);

  options.color = true;
  const std::string colored = crosstalk::render::terminal_heatmap(m, options);
  std::size_t marked = 0;
  for (std::size_t at = colored.find("\x1b[1;38;5;196m*"); at != std::string::npos;
       at = colored.find("\x1b[1;38;5;196m*", at + 1))
    ++marked;
  CHECK(marked == 4);
  // Links outside the matrix are ignored; no links, no key line.
  options.color = false;
  options.links = {{7, 0}, {0, 9}};
  CHECK(crosstalk::render::terminal_heatmap(m, options) == crosstalk::render::terminal_heatmap(m));
  CHECK(lines_of(crosstalk::render::terminal_heatmap(m)).size() == 7);
}

TEST_CASE("terminal heatmap: the rows the user wrote have '›' before their cells, and a key line", "[align][heatmap]") {
  const std::string mark = "\u203a";
  for (int64_t forced : {0, 2, 4}) {
    crosstalk::render::TerminalHeatmapOptions options;
    options.forced_rows = forced;
    const std::string text = crosstalk::render::terminal_heatmap(matrix(4, 3), options);
    std::istringstream in(text);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    INFO(forced << " rows forced:\n" << text);
    // Line 0: the column indices; lines 1..4: rows t0..t3, "tR" then the mark or a space.
    REQUIRE(lines.size() > 5);
    for (int64_t r = 0; r < 4; ++r) {
      const auto& line = lines[static_cast<size_t>(r + 1)];
      REQUIRE(line.rfind("t" + std::to_string(r), 0) == 0);
      CHECK((line.compare(2, mark.size(), mark) == 0) == (r < forced));
    }
    CHECK((text.find(mark + " rows you wrote") != std::string::npos) == (forced > 0));
  }
}
