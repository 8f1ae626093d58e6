// Cross-attention heatmaps: the SVG is well-formed XML with the words as <text>, the PNG has
// the promised size and colours, save_heatmap picks the format by extension, and the terminal
// heatmap lines up by display width.
#include <catch2/catch.hpp>

// <cairo/cairo.h>: the test target gets cairo only as a link dependency of crosstalk_core,
// not its include directory.
#include <cairo/cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crosstalk/render/heatmap.h"
#include "crosstalk/render/terminal_heatmap.h"
#include "crosstalk/common/error.h"
#include "heatmap_svg.h"
#include "temp_dir.h"

using crosstalk::UserError;
using namespace crosstalk::render;  // the component under test
using crosstalk::align::LabeledMatrix;

namespace {

/// rows x cols matrix with labels t0.. / s0.., each row a one-hot on column (r mod cols).
LabeledMatrix diagonal(int rows, int cols) {
  LabeledMatrix m;
  for (int c = 0; c < cols; ++c) m.cols.push_back("s" + std::to_string(c));
  for (int r = 0; r < rows; ++r) {
    m.rows.push_back("t" + std::to_string(r));
    for (int c = 0; c < cols; ++c) m.weights.push_back(c == r % cols ? 1.0f : 0.0f);
  }
  return m;
}

/// Source words with UTF-8 and XML-special characters; row 0 puts all weight on column 0.
LabeledMatrix tricky() {
  LabeledMatrix m;
  m.cols = {"über", "die", "Brücke.", "<unk>", "a&b", "\"q\"", "it's"};
  m.rows = {"over", "the", "bridge.", "<unk>", "</s>"};
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    for (std::size_t c = 0; c < m.cols.size(); ++c) {
      m.weights.push_back(r == 0 ? (c == 0 ? 1.0f : 0.0f) : 1.0f / static_cast<float>(m.cols.size()));
    }
  }
  return m;
}

const std::string kTitle = "Cross-attention · sentence 3 · layer 4 of 6 · heads averaged";

bool has(const std::vector<std::string>& texts, const std::string& word) {
  return std::find(texts.begin(), texts.end(), word) != texts.end();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

uint32_t big_endian(const std::string& bytes, std::size_t at) {
  uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes.at(at + i));
  return v;
}

const std::string kPngSignature = "\x89PNG\r\n\x1a\n";

/// The PNG's pixel at (x, y) as "#rrggbb".
std::string pixel(const std::string& png_path, double x, double y) {
  cairo_surface_t* image = cairo_image_surface_create_from_png(png_path.c_str());
  REQUIRE(cairo_surface_status(image) == CAIRO_STATUS_SUCCESS);
  cairo_surface_flush(image);
  const cairo_format_t format = cairo_image_surface_get_format(image);
  REQUIRE((format == CAIRO_FORMAT_RGB24 || format == CAIRO_FORMAT_ARGB32));
  const int px = static_cast<int>(x), py = static_cast<int>(y);
  REQUIRE(px >= 0);
  REQUIRE(py >= 0);
  REQUIRE(px < cairo_image_surface_get_width(image));
  REQUIRE(py < cairo_image_surface_get_height(image));
  const unsigned char* row = cairo_image_surface_get_data(image) + py * cairo_image_surface_get_stride(image);
  uint32_t argb = 0;
  std::copy(row + 4 * px, row + 4 * px + 4, reinterpret_cast<unsigned char*>(&argb));  // native-endian 0xAARRGGBB
  cairo_surface_destroy(image);
  char hex[8];
  std::snprintf(hex, sizeof hex, "#%02x%02x%02x", (argb >> 16) & 0xFFu, (argb >> 8) & 0xFFu, argb & 0xFFu);
  return hex;
}

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Display width as terminal_heatmap promises it: UTF-8 code points.
std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0u) != 0x80u; }));
}

}  // namespace

TEST_CASE("render_svg is well-formed XML with every word as a <text>", "[align][heatmap]") {
  const LabeledMatrix m = tricky();
  const Heatmap heatmap{kTitle, {HeatmapPanel{"", m}}};
  const std::string svg = render_svg(heatmap);
  CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0);
  CHECK(svg.find("&lt;unk&gt;") != std::string::npos);
  CHECK(svg.find("a&amp;b") != std::string::npos);

  const SvgInfo info = parse_svg(svg);
  for (const auto& word : m.cols) {
    INFO("source word " << word);
    CHECK(has(info.texts, word));
  }
  for (const auto& word : m.rows) {
    INFO("target word " << word);
    CHECK(has(info.texts, word));
  }
  CHECK(has(info.texts, "Brücke."));
  CHECK(has(info.texts, "<unk>"));
  CHECK(has(info.texts, "a&b"));
  CHECK(has(info.texts, kTitle));
  CHECK(info.title == kTitle);
  CHECK(has(info.texts, "attention weight"));
  for (const char* tick : {"0", "0.25", "0.5", "0.75", "1"}) CHECK(has(info.texts, tick));

  const ImageSize size = heatmap_size(heatmap);
  CHECK(info.root.at("width") == std::to_string(size.width));
  CHECK(info.root.at("height") == std::to_string(size.height));
  CHECK(info.root.at("viewBox") == "0 0 " + std::to_string(size.width) + " " + std::to_string(size.height));
  CHECK(info.root.at("font-family") == "DejaVu Sans, sans-serif");
}

TEST_CASE("a grid of panels shows every caption once, under one title and one legend", "[align][heatmap]") {
  Heatmap grid{"layer 2 of 6 · all heads", {}};
  for (int h = 0; h < 4; ++h) grid.panels.push_back({"head " + std::to_string(h), diagonal(3, 4)});
  const SvgInfo info = parse_svg(render_svg(grid));
  for (int h = 0; h < 4; ++h) CHECK(std::count(info.texts.begin(), info.texts.end(), "head " + std::to_string(h)) == 1);
  CHECK(std::count(info.texts.begin(), info.texts.end(), "attention weight") == 1);
  CHECK(std::count(info.texts.begin(), info.texts.end(), "layer 2 of 6 · all heads") == 1);
  CHECK(std::count(info.texts.begin(), info.texts.end(), "s3") == 4);

  // 2 x 2 layout: panel 1 right of panel 0, panel 2 below it.
  const CellBox p0 = heatmap_cell(grid, 0, 0, 0), p1 = heatmap_cell(grid, 1, 0, 0), p2 = heatmap_cell(grid, 2, 0, 0);
  CHECK(p1.x > p0.x + 4 * p0.w);
  CHECK(p1.y == p0.y);
  CHECK(p2.x == p0.x);
  CHECK(p2.y > p0.y + 3 * p0.h);
}

TEST_CASE("labels that are not valid UTF-8 or hold control characters still give valid XML", "[align][heatmap]") {
  LabeledMatrix m = diagonal(2, 2);
  m.cols[0] = std::string("bad\xC3(byte");
  m.rows[1] = std::string("esc\x1b[0m\x01");
  const SvgInfo info = parse_svg(render_svg(Heatmap{"t\xFF", {HeatmapPanel{"", m}}}));
  CHECK(has(info.texts, "bad\xEF\xBF\xBD(byte"));
}

TEST_CASE("write_png writes a PNG whose size is heatmap_size()", "[align][heatmap]") {
  ScopedTempDir dir("heatmap");
  const Heatmap heatmap{kTitle, {HeatmapPanel{"", tricky()}}};
  const std::string path = (dir.path / "map.png").string();
  write_png(heatmap, path);
  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() > 24);
  CHECK(bytes.substr(0, 8) == kPngSignature);
  CHECK(bytes.substr(12, 4) == "IHDR");
  const ImageSize size = heatmap_size(heatmap);
  CHECK(big_endian(bytes, 16) == static_cast<uint32_t>(size.width));
  CHECK(big_endian(bytes, 20) == static_cast<uint32_t>(size.height));
}

TEST_CASE("the image grows with rows, columns and panels", "[align][heatmap]") {
  const auto size = [](int rows, int cols, int panels) {
    Heatmap h{"title", {}};
    for (int p = 0; p < panels; ++p) h.panels.push_back({"head " + std::to_string(p), diagonal(rows, cols)});
    return heatmap_size(h);
  };
  const ImageSize base = size(4, 4, 1);
  CHECK(size(8, 4, 1).height > base.height);
  CHECK(size(4, 8, 1).width > base.width);
  const ImageSize grid = size(4, 4, 4);
  CHECK(grid.width > base.width);
  CHECK(grid.height > base.height);
}

TEST_CASE("cells are coloured by weight on a fixed scale, the same in PNG and SVG", "[align][heatmap]") {
  ScopedTempDir dir("heatmap");
  const Heatmap heatmap{kTitle, {HeatmapPanel{"", tricky()}}};
  const std::string path = (dir.path / "map.png").string();
  write_png(heatmap, path);
  const CellBox one = heatmap_cell(heatmap, 0, 0, 0);   // weight 1
  const CellBox zero = heatmap_cell(heatmap, 0, 0, 1);  // weight 0
  CHECK(one.w > 0);
  CHECK(one.h == one.w);
  // Both are the double x + cell (column 1 * cell and x + 0 * cell are exact): equal bits.
  CHECK(zero.x == one.x + one.w);
  // Sample the horizontal centre, a little below the top edge: cells of weight >= 0.5 print
  // their value in the middle.
  const std::string hot = pixel(path, one.x + one.w / 2, one.y + one.h * 0.2);
  const std::string cold = pixel(path, zero.x + zero.w / 2, zero.y + zero.h * 0.2);
  CHECK(hot != cold);
  CHECK(hot == "#fde725");   // viridis(1)
  CHECK(cold == "#440154");  // viridis(0)

  // The SVG's <rect> at the same place has the same fill.
  const SvgInfo info = parse_svg(render_svg(heatmap));
  std::map<std::string, std::string> fill_at;
  for (const auto& rect : info.rects) fill_at[rect.at("x") + "," + rect.at("y")] = rect.at("fill");
  CHECK(fill_at[format_number(one.x) + "," + format_number(one.y)] == hot);
  CHECK(fill_at[format_number(zero.x) + "," + format_number(zero.y)] == cold);
}

TEST_CASE("save_heatmap picks the format by extension and names the path on failure", "[align][heatmap]") {
  ScopedTempDir dir("heatmap");
  const Heatmap heatmap{"t", {HeatmapPanel{"", diagonal(2, 3)}}};
  const std::string svg_path = (dir.path / "a.svg").string();
  const std::string png_path = (dir.path / "b.PNG").string();
  save_heatmap(heatmap, svg_path);
  save_heatmap(heatmap, png_path);
  CHECK(read_bytes(svg_path) == render_svg(heatmap));
  CHECK(read_bytes(png_path).substr(0, 8) == kPngSignature);

  const std::string jpg = (dir.path / "c.jpg").string();
  REQUIRE_THROWS_AS(save_heatmap(heatmap, jpg), UserError);
  REQUIRE_THROWS_WITH(save_heatmap(heatmap, jpg), Catch::Contains(jpg));
  REQUIRE_THROWS_WITH(save_heatmap(heatmap, "/nonexistent_dir/x.png"), Catch::Contains("/nonexistent_dir/x.png"));
  REQUIRE_THROWS_AS(save_heatmap(heatmap, "/nonexistent_dir/x.png"), UserError);
  REQUIRE_THROWS_WITH(save_heatmap(heatmap, "/nonexistent_dir/x.svg"), Catch::Contains("/nonexistent_dir/x.svg"));
  REQUIRE_THROWS_AS(save_heatmap(heatmap, "/nonexistent_dir/x.svg"), UserError);
}

TEST_CASE("an empty or inconsistent matrix is rejected with std::invalid_argument", "[align][heatmap]") {
  LabeledMatrix empty;
  empty.rows = {"a"};
  const Heatmap no_cols{"t", {HeatmapPanel{"", empty}}};
  CHECK_THROWS_AS(heatmap_size(no_cols), std::invalid_argument);
  CHECK_THROWS_AS(render_svg(no_cols), std::invalid_argument);
  CHECK_THROWS_WITH(render_svg(no_cols), Catch::Contains("empty matrix"));
  CHECK_THROWS_AS(render_svg(Heatmap{"t", {}}), std::invalid_argument);
  LabeledMatrix short_weights = diagonal(2, 2);
  short_weights.weights.pop_back();
  CHECK_THROWS_AS(render_svg(Heatmap{"t", {HeatmapPanel{"", short_weights}}}), std::invalid_argument);
  const Heatmap ok{"t", {HeatmapPanel{"", diagonal(2, 2)}}};
  CHECK_THROWS_AS(heatmap_cell(ok, 1, 0, 0), std::out_of_range);
  CHECK_THROWS_AS(heatmap_cell(ok, 0, 2, 0), std::out_of_range);
  CHECK_THROWS_AS(heatmap_cell(ok, 0, 0, -1), std::out_of_range);
}

TEST_CASE("terminal_heatmap: shades, labels padded by display width, legend", "[align][heatmap]") {
  LabeledMatrix m;
  m.cols = {"Ein", "Mann", "fährt"};
  m.rows = {"fährt", "A", "rides"};
  m.weights = {1.0f, 0.0f, 0.0f,  //
               0.0f, 0.3f, 0.7f,  //
               0.05f, 0.15f, 0.8f};
  const std::string out = terminal_heatmap(m);
  const auto lines = lines_of(out);
  // header, 3 rows, blank, word legend, key
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "       0 1 2");
  CHECK(lines[1] == "fährt ██    ");
  CHECK(lines[2] == "A       ▒▒▓▓");
  CHECK(lines[3] == "rides   ░░██");
  for (int r = 1; r <= 3; ++r) CHECK(code_points(lines[static_cast<std::size_t>(r)]) == 6 + 2 * 3);
  CHECK(lines[4].empty());
  CHECK(lines[5] == "0 Ein  1 Mann  2 fährt");
  CHECK(lines[6].find("░ ≥0.10  ▒ ≥0.25  ▓ ≥0.50  █ ≥0.75") == 0);
}

TEST_CASE("terminal_heatmap: colour mode, truncation, wide matrices", "[align][heatmap]") {
  LabeledMatrix m;
  m.cols = {"a", "b"};
  m.rows = {"Donaudampfschifffahrt", "x"};
  m.weights = {1.0f, 0.0f, 0.5f, 0.5f};
  const auto lines = lines_of(terminal_heatmap(m, TerminalHeatmapOptions{true, 8}));
  REQUIRE(lines.size() == 6);
  CHECK(lines[1].rfind("Donauda… ", 0) == 0);
  CHECK(lines[1].find("\x1b[48;5;255m  \x1b[48;5;232m  ") != std::string::npos);
  for (int r = 1; r <= 2; ++r) {
    const std::string& row = lines[static_cast<std::size_t>(r)];
    CHECK(row.find("\x1b[48;5;") != std::string::npos);
    CHECK(row.size() >= 4);
    CHECK(row.substr(row.size() - 4) == "\x1b[0m");
  }
  CHECK(lines[2].rfind("x" + std::string(7 + 1, ' ') + "\x1b[48;5;", 0) == 0);  // padded to 8 columns, then a space

  // Indices of two digits are written vertically; the legend wraps at about 100 columns.
  LabeledMatrix wide = diagonal(2, 40);
  for (auto& word : wide.cols) word = "Wort_" + word;
  const auto wide_lines = lines_of(terminal_heatmap(wide));
  std::string tens = "   ", units = "   ";  // labels "t0", "t1": 2 columns and a space
  for (int c = 0; c < 40; ++c) {
    tens += std::string(" ") + (c < 10 ? ' ' : static_cast<char>('0' + c / 10));
    units += std::string(" ") + static_cast<char>('0' + c % 10);
  }
  REQUIRE(wide_lines.size() > 5);
  CHECK(wide_lines[0] == tens);
  CHECK(wide_lines[1] == units);
  CHECK(wide_lines[2].rfind("t0 ██  ", 0) == 0);
  std::size_t legend_lines = 0;
  for (std::size_t i = 5; i + 1 < wide_lines.size(); ++i) {
    CHECK(code_points(wide_lines[i]) <= 100);
    ++legend_lines;
  }
  CHECK(legend_lines >= 4);
  CHECK(terminal_heatmap(LabeledMatrix{}) == "(empty attention map)\n");
}
