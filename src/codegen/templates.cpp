// Template convention (every file under src/codegen/templates/vivado/ and every snippet of an emitter):
//
//   {{name}}   a placeholder: `name` is [a-z_][a-z0-9_]*; fill() replaces it with the value of that name.
//              Any other brace ("{", "{{{", "${CXX}") is plain text, so C++, Tcl and shell read as usual.
//   A placeholder alone on its line is an insert marker for a block of whole lines (e.g. the layer configs
//   in firmware/parameters.h): the value must be empty or end with a newline, and it replaces the line
//   and its newline, so an empty block leaves no blank line behind.
//
// A placeholder without a value is an error (a template and its writer disagree); values no placeholder
// uses are allowed (the common ones, name, version, model and model_hash, go to every file). Templates are
// the generated files byte for byte otherwise: they carry their own .clang-format that disables formatting.
#include "templates.h"

#include <map>

#include "sparsepixels/error.h"

namespace sparsepixels::codegen {

namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}

// The length of the placeholder "{{name}}" starting at `at`, or 0 when none starts there.
std::size_t placeholder_at(std::string_view text, std::size_t at) {
  if (text.compare(at, 2, "{{") != 0 || at + 2 >= text.size() || !name_start(text[at + 2])) return 0;
  std::size_t end = at + 3;
  while (end < text.size() && name_char(text[end])) ++end;
  return text.compare(end, 2, "}}") == 0 ? end + 2 - at : 0;
}

}  // namespace

std::string_view template_text(std::string_view path) {
  for (const TemplateFile& file : embedded_templates()) {
    if (file.path == path) return file.text;
  }
  throw Error(fmt::format("convert: template '{}' is not built into this binary", path));
}

std::string fill(std::string_view text, const std::vector<Placeholder>& values, std::string_view what) {
  std::map<std::string_view, std::string_view> value_of;
  for (const Placeholder& value : values) value_of[value.name] = value.text;
  std::string filled;
  filled.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t length = placeholder_at(text, at);
    if (length == 0) {
      filled += text[at++];
      continue;
    }
    const std::string_view name = text.substr(at + 2, length - 4);
    const auto value = value_of.find(name);
    if (value == value_of.end()) throw Error(fmt::format("convert: {}: no value for {{{{{}}}}}", what, name));
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const bool line_end = at + length < text.size() && text[at + length] == '\n';
    if (line_start && line_end) {  // an insert marker: whole lines
      if (!value->second.empty() && value->second.back() != '\n') {
        throw Error(fmt::format("convert: {}: block {{{{{}}}}} does not end a line", what, name));
      }
      filled += value->second;
      at += length + 1;
    } else {
      filled += value->second;
      at += length;
    }
  }
  return filled;
}

std::string fill_template(std::string_view path, const std::vector<Placeholder>& values) {
  return fill(template_text(path), values, path);
}

}  // namespace sparsepixels::codegen
