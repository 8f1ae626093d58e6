// The SVG of a heatmap parsed with libxml2 (a parse failure fails the test), for the heatmap tests.
#pragma once

#include <catch2/catch.hpp>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <map>
#include <string>
#include <vector>

namespace {

struct SvgInfo {
  std::vector<std::string> texts;  // contents of every <text>
  std::string title;               // content of <title>
  std::map<std::string, std::string> root;  // attributes of <svg>
  std::vector<std::map<std::string, std::string>> rects;  // attributes of every <rect>
};

std::string content(xmlNode* node) {
  xmlChar* text = xmlNodeGetContent(node);
  std::string out = text ? reinterpret_cast<const char*>(text) : "";
  xmlFree(text);
  return out;
}

std::map<std::string, std::string> attributes(xmlNode* node) {
  std::map<std::string, std::string> out;
  for (xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    out[reinterpret_cast<const char*>(a->name)] = content(reinterpret_cast<xmlNode*>(a));
  }
  return out;
}

void walk(xmlNode* node, SvgInfo& info) {
  for (; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE) {
      const std::string name = reinterpret_cast<const char*>(node->name);
      if (name == "text") info.texts.push_back(content(node));
      if (name == "title") info.title = content(node);
      if (name == "rect") info.rects.push_back(attributes(node));
    }
    walk(node->children, info);
  }
}

/// Parses the SVG with libxml2 (a parse failure fails the test) and collects what we check.
SvgInfo parse_svg(const std::string& svg) {
  xmlDoc* doc = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "heatmap.svg", nullptr, XML_PARSE_NONET);
  REQUIRE(doc != nullptr);
  SvgInfo info;
  xmlNode* root = xmlDocGetRootElement(doc);
  REQUIRE(root != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(root->name)) == "svg");
  info.root = attributes(root);
  walk(root, info);
  xmlFreeDoc(doc);
  return info;
}

}  // namespace
