#pragma once

#include <string_view>
#include <vector>

namespace crosstalk::serve {

/// One file of the browser page that `crosstalk serve` serves (src/serve/page/, embedded
/// into the binary at build time by scripts/embed_files.cmake).
struct PageAsset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
};

/// Every embedded file, sorted by path. "/" is served as "/index.html".
const std::vector<PageAsset>& page_assets();

}  // namespace crosstalk::serve
