#pragma once

// Internal: a small XML reader, enough for vendor report files (elements, attributes, text,
// comments, declarations, CDATA, the five predefined entities and character references).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sparsepixels::estimate::detail {

/// One element: its name, attributes, concatenated text and children.
struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;
  std::vector<XmlElement> children;
  int line = 0;

  /// The first child named `child_name`, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
  /// The element at a '/'-separated path of child names below this one, or nullptr.
  const XmlElement* find(std::string_view path) const;
};

/// Parses a whole document and returns its root element. Throws sparsepixels::Error with
/// "<source>:<line>: ..." on malformed input.
XmlElement parse_xml(std::string_view text, const std::string& source);

}  // namespace sparsepixels::estimate::detail
