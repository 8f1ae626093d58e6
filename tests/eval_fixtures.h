// The BLEU/chrF fixtures made with sacreBLEU 2.5 by scripts/make_eval_fixtures.py:
// tests/fixtures/eval/<case>.hyp, <case>.ref and one expected.tsv row per case
// (floats at full precision). Shared by test_bleu, test_chrf and the eval CLI test.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace eval_fixtures {

inline const std::string kDir = std::string(CROSSTALK_SOURCE_DIR) + "/tests/fixtures/eval/";

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Splits on `sep` only; a trailing separator does not start another field.
inline std::vector<std::string> split(const std::string& text, char sep = '\n') {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find(sep, start)) != std::string::npos; start = end + 1) {
    parts.push_back(text.substr(start, end - start));
  }
  if (start < text.size()) parts.push_back(text.substr(start));
  return parts;
}

// One map (column -> text) per case of expected.tsv.
inline std::vector<std::map<std::string, std::string>> read_expected() {
  const std::vector<std::string> lines = split(read_file(kDir + "expected.tsv"));
  REQUIRE(lines.size() > 1);
  const std::vector<std::string> header = split(lines[0] + "\t", '\t');
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = split(lines[i] + "\t", '\t');
    REQUIRE(fields.size() == header.size());
    std::map<std::string, std::string> row;
    for (std::size_t k = 0; k < header.size(); ++k) row[header[k]] = fields[k];
    rows.push_back(row);
  }
  return rows;
}

inline double number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// One fixture case: its expected.tsv row and its hypothesis and reference lines (checked
// against the row's line count).
struct FixtureCase {
  std::map<std::string, std::string> row;
  std::vector<std::string> hyps, refs;
};

// Every case of expected.tsv (at least 14), with its files read.
inline std::vector<FixtureCase> read_cases() {
  std::vector<FixtureCase> cases;
  for (auto& row : read_expected()) {
    const std::string& name = row.at("case");
    INFO("fixture case " << name);
    FixtureCase c{row, split(read_file(kDir + name + ".hyp")), split(read_file(kDir + name + ".ref"))};
    REQUIRE(c.hyps.size() == static_cast<std::size_t>(std::stoul(row.at("lines"))));
    REQUIRE(c.refs.size() == c.hyps.size());
    cases.push_back(std::move(c));
  }
  REQUIRE(cases.size() >= 14);
  return cases;
}

}  // namespace eval_fixtures
