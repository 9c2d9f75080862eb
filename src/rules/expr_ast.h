// The rule language's syntax tree and parser, internal to the rules module. Grammar and
// meaning are documented in docs/RULES.md; the compiler (compiler.cc) type-checks a
// tree and turns it into bytecode once, at load.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | compare
//   compare := sum [("==" | "!=" | "<" | "<=" | ">" | ">=") sum | ["not"] "in" list]
//   sum     := product (("+" | "-") product)*
//   product := unary (("*" | "/" | "%") unary)*
//   unary   := "-" unary | postfix
//   postfix := primary ("." name)*
//   primary := number | number unit | CODE number | string | "true" | "false" | name
//            | name "(" [arg ("," arg)*] ")" | "(" expr ")" | list
//   arg     := [name ":"] expr
//   list    := "[" [expr ("," expr)*] "]"
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wf::rules::internal {

enum class NodeKind : uint8_t {
  kInt,       // 42
  kNumber,    // 4.5
  kDuration,  // 5m -> i = microseconds
  kMoney,     // PHP 50000 -> text = code, d / i = value as written (major units)
  kString,    // "cash_out"
  kBool,      // true
  kName,      // amount, or a named feature
  kList,      // [a, b]
  kUnary,     // text = "-" | "not"
  kBinary,    // text = operator ("+", "and", "in", "not in", "<=", ...)
  kCall,      // text = function; kids = args; arg_names[i] = "" when positional
  kMember,    // kids[0].text
};

struct Node {
  NodeKind kind = NodeKind::kInt;
  int pos = 0;  // byte offset of the node's first character in the expression text
  std::string text;
  int64_t i = 0;
  double d = 0;
  std::string money_text;  // kMoney: the amount as written ("50000.00"), parsed exactly
  std::vector<std::unique_ptr<Node>> kids;
  std::vector<std::string> arg_names;
};

struct ParseError {
  int pos = 0;
  std::string message;
};

// Parses one expression; on failure returns null and sets `error` (first error only).
std::unique_ptr<Node> parse_expression(std::string_view text, ParseError* error);

// A reason template "{distance} km from {prev.city}": literal text and expressions in
// braces ("{{" and "}}" are literal braces). `pos` is each piece's offset in the template.
struct TemplatePiece {
  bool is_expr = false;
  std::string text;  // literal text, or the expression's source
  int pos = 0;
};
bool split_template(std::string_view text, std::vector<TemplatePiece>* out, ParseError* error);

}  // namespace wf::rules::internal
