// Heatmap figures as PNG and SVG. The layout is computed once (heatmap_scene.cpp) and replayed
// here twice: onto a cairo image surface for the PNG, and by our own small SVG emitter. We do
// not use cairo's SVG surface because it converts every glyph into outline paths: the words
// would then not be text in the SVG, so they could not be searched, selected or checked by a
// test. Our emitter writes real <rect>, <line> and <text> elements (words XML-escaped, UTF-8
// kept), with exactly the same coordinates and colours as the PNG.
#include "crosstalk/render/heatmap.h"

#include <cairo.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include "crosstalk/common/error.h"
#include "heatmap_scene.h"

namespace crosstalk::render {
namespace {

using heatmap_detail::Anchor;
using heatmap_detail::LineShape;
using heatmap_detail::RectShape;
using heatmap_detail::Rgb;
using heatmap_detail::Scene;
using heatmap_detail::TextShape;

// ---- PNG (cairo) ---------------------------------------------------------------------------

void set_color(cairo_t* cr, Rgb c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

void draw(cairo_t* cr, const RectShape& r) {
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  if (r.filled) {
    set_color(cr, r.fill);
    if (r.stroke_width > 0) {
      cairo_fill_preserve(cr);
    } else {
      cairo_fill(cr);
    }
  }
  if (r.stroke_width > 0) {
    set_color(cr, r.stroke);
    cairo_set_line_width(cr, r.stroke_width);
    cairo_stroke(cr);
  }
  cairo_new_path(cr);
}

void draw(cairo_t* cr, const LineShape& l) {
  cairo_move_to(cr, l.x1, l.y1);
  cairo_line_to(cr, l.x2, l.y2);
  set_color(cr, l.color, l.opacity);
  cairo_set_line_width(cr, l.width);
  cairo_stroke(cr);
}

void draw(cairo_t* cr, const TextShape& t) {
  cairo_save(cr);
  cairo_select_font_face(cr, heatmap_detail::kCairoFont, CAIRO_FONT_SLANT_NORMAL,
                         t.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, t.size);
  set_color(cr, t.color);
  cairo_translate(cr, t.x, t.y);
  cairo_rotate(cr, t.rotate_deg * M_PI / 180);
  const double f = t.anchor == Anchor::kStart ? 0 : t.anchor == Anchor::kMiddle ? 0.5 : 1;
  cairo_move_to(cr, -t.advance * f, 0);
  cairo_show_text(cr, t.text.c_str());
  cairo_restore(cr);
}

// ---- SVG (our emitter) ---------------------------------------------------------------------

/// A coordinate with at most two decimals, independent of the C locale.
std::string num(double v) {
  long long hundredths = std::llround(v * 100);
  std::string out = hundredths < 0 ? "-" : "";
  hundredths = std::llabs(hundredths);
  out += std::to_string(hundredths / 100);
  const long long frac = hundredths % 100;
  if (frac != 0) {
    out += '.';
    out += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
  }
  return out;
}

std::string hex(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

/// XML-escapes & < > " ' ; everything else (UTF-8 included) passes through.
std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += ch;
    }
  }
  return out;
}

void emit(std::string& svg, const RectShape& r) {
  svg += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) + "\" height=\"" + num(r.h) +
         "\" fill=\"" + (r.filled ? hex(r.fill) : "none") + "\"";
  if (r.stroke_width > 0) svg += " stroke=\"" + hex(r.stroke) + "\" stroke-width=\"" + num(r.stroke_width) + "\"";
  if (!r.css_class.empty()) svg += " class=\"" + r.css_class + "\"";
  svg += "/>\n";
}

void emit(std::string& svg, const LineShape& l) {
  svg += "<line x1=\"" + num(l.x1) + "\" y1=\"" + num(l.y1) + "\" x2=\"" + num(l.x2) + "\" y2=\"" + num(l.y2) +
         "\" stroke=\"" + hex(l.color) + "\" stroke-width=\"" + num(l.width) + "\"";
  if (l.opacity < 1) svg += " stroke-opacity=\"" + num(l.opacity) + "\"";
  svg += "/>\n";
}

void emit(std::string& svg, const TextShape& t) {
  svg += "<text x=\"" + num(t.x) + "\" y=\"" + num(t.y) + "\" font-size=\"" + num(t.size) + "\"";
  if (t.bold) svg += " font-weight=\"bold\"";
  if (t.anchor == Anchor::kMiddle) svg += " text-anchor=\"middle\"";
  if (t.anchor == Anchor::kEnd) svg += " text-anchor=\"end\"";
  svg += " fill=\"" + hex(t.color) + "\"";
  if (t.rotate_deg != 0) svg += " transform=\"rotate(" + num(t.rotate_deg) + " " + num(t.x) + " " + num(t.y) + ")\"";
  svg += ">" + xml_escape(t.text) + "</text>\n";
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

ImageSize heatmap_size(const Heatmap& heatmap) {
  const Scene scene = heatmap_detail::build_scene(heatmap);
  return {scene.width, scene.height};
}

CellBox heatmap_cell(const Heatmap& heatmap, std::size_t panel, int64_t row, int64_t col) {
  const Scene scene = heatmap_detail::build_scene(heatmap);
  if (panel >= scene.grids.size()) {
    throw std::out_of_range("heatmap_cell: panel " + std::to_string(panel) + " of " +
                            std::to_string(scene.grids.size()));
  }
  const heatmap_detail::PanelGrid& g = scene.grids[panel];
  if (row < 0 || row >= g.rows || col < 0 || col >= g.cols) {
    throw std::out_of_range("heatmap_cell: cell (" + std::to_string(row) + ", " + std::to_string(col) +
                            ") outside " + std::to_string(g.rows) + " x " + std::to_string(g.cols));
  }
  return {g.x + static_cast<double>(col) * g.cell, g.y + static_cast<double>(row) * g.cell, g.cell, g.cell};
}

std::string render_svg(const Heatmap& heatmap) {
  const Scene scene = heatmap_detail::build_scene(heatmap);
  const std::string w = std::to_string(scene.width), h = std::to_string(scene.height);
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w +
         " " + h + "\" font-family=\"" + heatmap_detail::kSvgFont + "\">\n";
  svg += "<title>" + xml_escape(scene.title) + "</title>\n";
  for (const auto& shape : scene.shapes) {
    std::visit([&svg](const auto& s) { emit(svg, s); }, shape);
  }
  svg += "</svg>\n";
  return svg;
}

void write_png(const Heatmap& heatmap, const std::string& path) {
  const Scene scene = heatmap_detail::build_scene(heatmap);
  const std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, scene.width, scene.height), &cairo_surface_destroy);
  const std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), &cairo_destroy);
  for (const auto& shape : scene.shapes) {
    std::visit([&cr](const auto& s) { draw(cr.get(), s); }, shape);
  }
  cairo_status_t status = cairo_status(cr.get());
  if (status != CAIRO_STATUS_SUCCESS) {
    throw UserError("cannot draw heatmap " + path + " (" + std::to_string(scene.width) + "x" +
                    std::to_string(scene.height) + " px): " + cairo_status_to_string(status));
  }
  cairo_surface_flush(surface.get());
  status = cairo_surface_write_to_png(surface.get(), path.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    throw UserError("cannot write heatmap PNG " + path + ": " + cairo_status_to_string(status));
  }
}

void save_heatmap(const Heatmap& heatmap, const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".png") {
    write_png(heatmap, path);
  } else if (ext == ".svg") {
    const std::string svg = render_svg(heatmap);
    std::ofstream out(path, std::ios::binary);
    out.write(svg.data(), static_cast<std::streamsize>(svg.size()));
    out.close();
    if (!out) throw UserError("cannot write heatmap SVG " + path);
  } else {
    throw UserError("cannot save heatmap " + path + ": unknown image format '" + ext +
                    "' (use a .svg or .png file name)");
  }
}

}  // namespace crosstalk::render
