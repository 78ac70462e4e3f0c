// Parsing and printing of fixed-point type strings: Vitis spellings and hls4ml's short forms.
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"

namespace sparsepixels::fixed {
namespace {

struct QuantizationName {
  std::string_view name;
  Quantization mode;
};
struct OverflowName {
  std::string_view name;
  Overflow mode;
};

constexpr std::array<QuantizationName, 7> kQuantizationNames{{{"AP_TRN", Quantization::TRN},
                                                              {"AP_TRN_ZERO", Quantization::TRN_ZERO},
                                                              {"AP_RND", Quantization::RND},
                                                              {"AP_RND_ZERO", Quantization::RND_ZERO},
                                                              {"AP_RND_MIN_INF", Quantization::RND_MIN_INF},
                                                              {"AP_RND_INF", Quantization::RND_INF},
                                                              {"AP_RND_CONV", Quantization::RND_CONV}}};
constexpr std::array<OverflowName, 4> kOverflowNames{{{"AP_WRAP", Overflow::WRAP},
                                                      {"AP_SAT", Overflow::SAT},
                                                      {"AP_SAT_ZERO", Overflow::SAT_ZERO},
                                                      {"AP_SAT_SYM", Overflow::SAT_SYM}}};

[[noreturn]] void fail(std::string_view text, const std::string& problem) {
  throw Error("fixed-point type \"" + std::string(text) + "\": " + problem);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Upper-cases a mode name and adds the "AP_" prefix hls4ml leaves out.
std::string canonical_mode_name(std::string_view word) {
  std::string upper;
  for (const char c : word) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("AP_", 0) != 0) upper = "AP_" + upper;
  return upper;
}

int parse_integer(std::string_view text, std::string_view field, std::string_view word) {
  std::string_view digits = word;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    fail(text, std::string(field) + " \"" + std::string(word) + "\" is not an integer");
  }
  return value;
}

Quantization parse_quantization(std::string_view text, std::string_view word) {
  const std::string name = canonical_mode_name(word);
  for (const auto& entry : kQuantizationNames) {
    if (entry.name == name) return entry.mode;
  }
  fail(text, "unknown quantization mode \"" + std::string(word) +
                 "\" (expected AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF or "
                 "AP_RND_CONV, with or without the AP_ prefix)");
}

Overflow parse_overflow(std::string_view text, std::string_view word) {
  const std::string name = canonical_mode_name(word);
  if (name == "AP_WRAP_SM") fail(text, "overflow mode AP_WRAP_SM is not supported");
  for (const auto& entry : kOverflowNames) {
    if (entry.name == name) return entry.mode;
  }
  fail(text, "unknown overflow mode \"" + std::string(word) +
                 "\" (expected AP_WRAP, AP_SAT, AP_SAT_ZERO or AP_SAT_SYM, with or without the AP_ prefix)");
}

}  // namespace

std::string to_string(Quantization mode) {
  for (const auto& entry : kQuantizationNames) {
    if (entry.mode == mode) return std::string(entry.name);
  }
  return "AP_TRN";
}

std::string to_string(Overflow mode) {
  for (const auto& entry : kOverflowNames) {
    if (entry.mode == mode) return std::string(entry.name);
  }
  return "AP_WRAP";
}

std::string FixedType::to_string() const {
  const std::string prefix = is_signed ? "ap_" : "ap_u";
  if (integer_type) return prefix + "int<" + std::to_string(width) + ">";
  std::string text = prefix + "fixed<" + std::to_string(width) + "," + std::to_string(integer);
  const bool print_n = saturation_bits != 0;
  const bool print_overflow = print_n || overflow != Overflow::WRAP;
  const bool print_quantization = print_overflow || quantization != Quantization::TRN;
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) about "," + std::string.
  const auto append_argument = [&text](const std::string& argument) {
    text += ',';
    text += argument;
  };
  if (print_quantization) append_argument(fixed::to_string(quantization));
  if (print_overflow) append_argument(fixed::to_string(overflow));
  if (print_n) append_argument(std::to_string(saturation_bits));
  text += '>';
  return text;
}

FixedType FixedType::parse(std::string_view text) {
  const std::string_view body = trim(text);
  const auto open = body.find('<');
  if (open == std::string_view::npos || body.empty() || body.back() != '>') {
    fail(text, "expected a type such as ap_fixed<16,6> or ufixed<8,0,RND_CONV,SAT>");
  }
  const std::string_view name = trim(body.substr(0, open));
  const std::string_view inside = body.substr(open + 1, body.size() - open - 2);
  if (inside.find_first_of("<>") != std::string_view::npos) fail(text, "unbalanced or nested angle brackets");

  std::vector<std::string_view> arguments;
  std::size_t start = 0;
  while (true) {
    const auto comma = inside.find(',', start);
    const std::string_view argument =
        trim(inside.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (argument.empty()) fail(text, "empty template argument");
    arguments.push_back(argument);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }

  FixedType type;
  type.quantization = Quantization::TRN;
  type.overflow = Overflow::WRAP;
  type.saturation_bits = 0;
  const bool is_integer = name == "ap_int" || name == "ap_uint" || name == "int" || name == "uint";
  const bool is_fixed = name == "ap_fixed" || name == "ap_ufixed" || name == "fixed" || name == "ufixed";
  if (!is_integer && !is_fixed) {
    fail(text, "unknown type name \"" + std::string(name) +
                   "\" (expected ap_fixed, ap_ufixed, ap_int, ap_uint, fixed, ufixed, int or uint)");
  }
  type.is_signed = !(name == "ap_uint" || name == "uint" || name == "ap_ufixed" || name == "ufixed");
  type.width = parse_integer(text, "width", arguments[0]);
  if (type.width < 1 || type.width > 64) {
    fail(text, "width " + std::to_string(type.width) + " is outside the supported 1..64");
  }
  if (is_integer) {
    if (arguments.size() != 1) fail(text, std::string(name) + " takes exactly one argument, the width");
    type.integer = type.width;
    type.integer_type = true;
    return type;
  }
  if (arguments.size() < 2 || arguments.size() > 5) {
    fail(text, std::string(name) + " takes 2 to 5 arguments: width, integer bits, quantization, overflow, N");
  }
  type.integer = parse_integer(text, "integer bits", arguments[1]);
  if (type.integer < -2048 || type.integer > 2048) {
    fail(text, "integer bits " + std::to_string(type.integer) + " are outside the supported -2048..2048");
  }
  if (arguments.size() > 2) type.quantization = parse_quantization(text, arguments[2]);
  if (arguments.size() > 3) type.overflow = parse_overflow(text, arguments[3]);
  if (arguments.size() > 4) {
    type.saturation_bits = parse_integer(text, "saturation bits N", arguments[4]);
    if (type.saturation_bits < 0 || type.saturation_bits > type.width) {
      fail(text, "saturation bits N = " + std::to_string(type.saturation_bits) + " must lie in 0..width (" +
                     std::to_string(type.width) + ")");
    }
  }
  return type;
}

}  // namespace sparsepixels::fixed
