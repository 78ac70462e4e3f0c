// The templates of a generated project (src/codegen/templates/vivado/, embedded into the binary at build
// time by cmake/EmbedTemplates.cmake) and the one way they are filled; the convention is written at the top
// of templates.cpp.
#pragma once

#include <fmt/format.h>

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sparsepixels::codegen {

/// One embedded template file: its path under src/codegen/templates/vivado/ and its bytes.
struct TemplateFile {
  std::string_view path;
  std::string_view text;
};

/// Every embedded template (defined in the source the build generates).
std::span<const TemplateFile> embedded_templates();

/// The text of the template at `path` (relative to templates/vivado/, e.g. "firmware/defines.h"); throws
/// sparsepixels::Error when the binary holds no such template.
std::string_view template_text(std::string_view path);

/// One named value for a `{{name}}` placeholder; numbers are written as fmt writes them ("{}").
struct Placeholder {
  template <class Value>
  Placeholder(std::string placeholder, const Value& value)
      : name(std::move(placeholder)), text(fmt::format("{}", value)) {}
  std::string name;
  std::string text;
};

/// `text` with every placeholder replaced by its value (the convention of templates.cpp); throws
/// sparsepixels::Error naming `what` and the placeholder when one has no value or a block value does not
/// end a line.
std::string fill(std::string_view text, const std::vector<Placeholder>& values, std::string_view what);

/// fill() of the embedded template at `path`.
std::string fill_template(std::string_view path, const std::vector<Placeholder>& values);

}  // namespace sparsepixels::codegen
