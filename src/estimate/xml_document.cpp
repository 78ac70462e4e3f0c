#include "xml_document.h"

#include <cctype>
#include <cstdint>

#include "sparsepixels/error.h"
#include "sparsepixels/limits.h"

namespace sparsepixels::estimate::detail {

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const XmlElement& element : children) {
    if (element.name == child_name) return &element;
  }
  return nullptr;
}

const XmlElement* XmlElement::find(std::string_view path) const {
  const XmlElement* current = this;
  while (current != nullptr && !path.empty()) {
    const std::size_t slash = path.find('/');
    current = current->child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return current;
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  XmlElement document() {
    skip_misc();
    if (at_end() || peek() != '<') fail("expected the root element");
    XmlElement root = element();
    skip_misc();
    if (!at_end()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(source_ + ":" + std::to_string(line_) + ": malformed XML: " + what);
  }
  bool at_end() const { return position_ >= text_.size(); }
  char peek() const { return text_[position_]; }
  bool starts_with(std::string_view prefix) const { return text_.substr(position_, prefix.size()) == prefix; }
  void advance(std::size_t count) {
    for (std::size_t i = 0; i < count && position_ < text_.size(); ++i) {
      if (text_[position_] == '\n') ++line_;
      ++position_;
    }
  }
  void skip_until(std::string_view terminator, const char* what) {
    const std::size_t end = text_.find(terminator, position_);
    if (end == std::string_view::npos) fail(std::string("unterminated ") + what);
    advance(end + terminator.size() - position_);
  }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) advance(1);
  }
  // Whitespace, comments, declarations and processing instructions around the root.
  void skip_misc() {
    for (;;) {
      skip_space();
      if (starts_with("<?")) {
        skip_until("?>", "processing instruction");
      } else if (starts_with("<!--")) {
        skip_until("-->", "comment");
      } else if (starts_with("<!DOCTYPE")) {
        skip_until(">", "DOCTYPE");
      } else {
        return;
      }
    }
  }
  static bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
  }
  std::string name() {
    const std::size_t start = position_;
    while (!at_end() && is_name_char(peek())) advance(1);
    if (position_ == start) fail("expected a name");
    return std::string(text_.substr(start, position_ - start));
  }
  std::string decode(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const std::size_t end = raw.find(';', i);
      if (end == std::string_view::npos) fail("unterminated entity");
      const std::string_view entity = raw.substr(i + 1, end - i - 1);
      if (entity == "lt") {
        out += '<';
      } else if (entity == "gt") {
        out += '>';
      } else if (entity == "amp") {
        out += '&';
      } else if (entity == "quot") {
        out += '"';
      } else if (entity == "apos") {
        out += '\'';
      } else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x' || entity[1] == 'X';
        const std::string digits(entity.substr(hex ? 2 : 1));
        std::uint32_t code = 0;
        try {
          code = static_cast<std::uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10));
        } catch (const std::exception&) {
          fail("bad character reference &" + std::string(entity) + ";");
        }
        // Report files are ASCII; anything wider is kept as '?' rather than re-encoded.
        out += code < 128 ? static_cast<char>(code) : '?';
      } else {
        fail("unknown entity &" + std::string(entity) + ";");
      }
      i = end;
    }
    return out;
  }
  XmlElement element() {
    XmlElement result;
    result.line = line_;
    advance(1);  // '<'
    result.name = name();
    for (;;) {
      skip_space();
      if (at_end()) fail("unterminated start tag <" + result.name + ">");
      if (starts_with("/>")) {
        advance(2);
        return result;
      }
      if (peek() == '>') {
        advance(1);
        break;
      }
      std::string attribute = name();
      skip_space();
      if (at_end() || peek() != '=') fail("expected '=' after attribute " + attribute);
      advance(1);
      skip_space();
      if (at_end() || (peek() != '"' && peek() != '\''))
        fail("expected a quoted value for attribute " + attribute);
      const char quote = peek();
      advance(1);
      const std::size_t end = text_.find(quote, position_);
      if (end == std::string_view::npos) fail("unterminated value of attribute " + attribute);
      std::string value = decode(text_.substr(position_, end - position_));
      advance(end + 1 - position_);
      result.attributes.emplace_back(std::move(attribute), std::move(value));
    }
    for (;;) {
      if (at_end()) fail("element <" + result.name + "> is not closed");
      if (starts_with("</")) {
        advance(2);
        const std::string closing = name();
        if (closing != result.name) fail("</" + closing + "> closes <" + result.name + ">");
        skip_space();
        if (at_end() || peek() != '>') fail("expected '>' after </" + closing);
        advance(1);
        return result;
      }
      if (starts_with("<!--")) {
        skip_until("-->", "comment");
      } else if (starts_with("<![CDATA[")) {
        advance(9);
        const std::size_t end = text_.find("]]>", position_);
        if (end == std::string_view::npos) fail("unterminated CDATA");
        result.text += text_.substr(position_, end - position_);
        advance(end + 3 - position_);
      } else if (starts_with("<?")) {
        skip_until("?>", "processing instruction");
      } else if (peek() == '<') {
        // The parser recurses once per level: a depth limit keeps a hostile file from exhausting the stack.
        if (depth_ >= limits::kMaxNestingDepth) {
          fail("elements nested deeper than " + std::to_string(limits::kMaxNestingDepth) + " levels");
        }
        ++depth_;
        result.children.push_back(element());
        --depth_;
      } else {
        const std::size_t end = text_.find('<', position_);
        if (end == std::string_view::npos) fail("element <" + result.name + "> is not closed");
        result.text += decode(text_.substr(position_, end - position_));
        advance(end - position_);
      }
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t position_ = 0;
  int line_ = 1;
  int depth_ = 1;  // of the element being parsed; the root is 1
};

}  // namespace

XmlElement parse_xml(std::string_view text, const std::string& source) {
  return Parser(text, source).document();
}

}  // namespace sparsepixels::estimate::detail
