// Lexer and recursive-descent parser of the rule language (grammar in expr_ast.h).
// Errors carry the byte offset of the offending token; the pack loader turns offsets
// into file lines and columns.
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "rules/expr_ast.h"

namespace wf::rules::internal {
namespace {

// kBad: the lexer's message in text; kStray: a character no token starts with.
enum class Tok : uint8_t { kEnd, kName, kInt, kNumber, kDuration, kString, kOp, kBad, kStray };

struct Token {
  Tok kind = Tok::kEnd;
  int pos = 0;
  std::string text;  // name, operator, string contents, number text, or unit
  int64_t i = 0;
  double d = 0;
};

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  Token next() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
    Token t;
    t.pos = static_cast<int>(p_);
    if (p_ >= s_.size()) return t;
    char c = s_[p_];
    if (name_start(c)) {
      size_t b = p_;
      while (p_ < s_.size() && name_char(s_[p_])) ++p_;
      t.kind = Tok::kName;
      t.text = std::string(s_.substr(b, p_ - b));
      return t;
    }
    if (digit(c)) return number(t);
    if (c == '"' || c == '\'') return string(t, c);
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">="};
    for (std::string_view op : kTwo) {
      if (s_.substr(p_, 2) == op) {
        p_ += 2;
        t.kind = Tok::kOp;
        t.text = std::string(op);
        return t;
      }
    }
    if (std::string_view("<>+-*/%()[],:.").find(c) != std::string_view::npos) {
      ++p_;
      t.kind = Tok::kOp;
      t.text = std::string(1, c);
      return t;
    }
    // The whole character, every byte of its UTF-8: messages quote it, and must stay
    // valid text (the API answers them in JSON).
    size_t n = 1;
    if (static_cast<unsigned char>(c) >= 0xC0) {
      while (n < 4 && p_ + n < s_.size() &&
             (static_cast<unsigned char>(s_[p_ + n]) & 0xC0) == 0x80) {
        ++n;
      }
    }
    t.kind = Tok::kStray;
    t.text = std::string(s_.substr(p_, n));
    p_ += n;
    return t;
  }

 private:
  Token number(Token t) {
    size_t b = p_;
    while (p_ < s_.size() && (digit(s_[p_]) || s_[p_] == '_')) ++p_;
    bool fraction = false;
    if (p_ + 1 < s_.size() && s_[p_] == '.' && digit(s_[p_ + 1])) {
      fraction = true;
      ++p_;
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    std::string digits;
    for (char c : s_.substr(b, p_ - b)) {
      if (c != '_') digits += c;
    }
    t.text = digits;
    // A unit directly after the digits makes a duration: 250ms, 5m, 180d.
    size_t u = p_;
    while (u < s_.size() && name_char(s_[u])) ++u;
    std::string_view unit = s_.substr(p_, u - p_);
    if (!unit.empty()) {
      p_ = u;
      int64_t scale = unit == "ms"  ? 1000
                      : unit == "s" ? 1'000'000
                      : unit == "m" ? 60'000'000
                      : unit == "h" ? 3'600'000'000
                      : unit == "d" ? 86'400'000'000
                                    : 0;
      if (scale == 0 || fraction) {
        t.kind = Tok::kBad;
        t.text = "bad duration '" + std::string(s_.substr(b, u - b)) +
                 "' (want an integer and a unit: ms, s, m, h, d)";
        return t;
      }
      errno = 0;
      unsigned long long v = std::strtoull(digits.c_str(), nullptr, 10);
      if (errno != 0 || v > static_cast<unsigned long long>(INT64_MAX / scale)) {
        t.kind = Tok::kBad;
        t.text = "duration out of range";
        return t;
      }
      t.kind = Tok::kDuration;
      t.i = static_cast<int64_t>(v) * scale;
      return t;
    }
    errno = 0;
    if (fraction) {
      t.kind = Tok::kNumber;
      t.d = std::strtod(digits.c_str(), nullptr);
    } else {
      t.kind = Tok::kInt;
      unsigned long long v = std::strtoull(digits.c_str(), nullptr, 10);
      if (errno != 0 || v > static_cast<unsigned long long>(INT64_MAX)) {
        t.kind = Tok::kBad;
        t.text = "integer out of range";
        return t;
      }
      t.i = static_cast<int64_t>(v);
      t.d = static_cast<double>(v);
    }
    return t;
  }

  Token string(Token t, char quote) {
    ++p_;
    std::string out;
    while (p_ < s_.size() && s_[p_] != quote) {
      if (s_[p_] == '\\' && p_ + 1 < s_.size()) ++p_;
      out += s_[p_++];
    }
    if (p_ >= s_.size()) {
      t.kind = Tok::kBad;
      t.text = "unterminated string";
      return t;
    }
    ++p_;
    t.kind = Tok::kString;
    t.text = std::move(out);
    return t;
  }

  std::string_view s_;
  size_t p_ = 0;
};

bool currency_code(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, ParseError* error) : lex_(text), error_(error) {
    tok_ = lex_.next();
    ahead_ = lex_.next();
  }

  std::unique_ptr<Node> parse() {
    auto e = expr();
    if (e && tok_.kind != Tok::kEnd) return fail(tok_, "unexpected " + describe(tok_));
    return e;
  }

 private:
  using P = std::unique_ptr<Node>;

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd:
        return "end of expression";
      case Tok::kString:
        return "string \"" + t.text + "\"";
      case Tok::kBad:
      case Tok::kStray:
        return t.text;
      default:
        return "'" + t.text + "'";
    }
  }

  P fail(const Token& at, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_->pos = at.pos;
      error_->message = at.kind == Tok::kBad ? at.text : std::move(message);
    }
    return nullptr;
  }

  void advance() {
    tok_ = std::move(ahead_);
    ahead_ = lex_.next();
  }
  bool is_op(std::string_view op) const { return tok_.kind == Tok::kOp && tok_.text == op; }
  bool is_word(std::string_view w) const { return tok_.kind == Tok::kName && tok_.text == w; }
  bool expect(std::string_view op) {
    if (is_op(op)) {
      advance();
      return true;
    }
    fail(tok_, "expected '" + std::string(op) + "', found " + describe(tok_));
    return false;
  }

  static P make(NodeKind kind, int pos, std::string text = {}) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->pos = pos;
    n->text = std::move(text);
    return n;
  }
  static P binary(std::string op, int pos, P a, P b) {
    P n = make(NodeKind::kBinary, pos, std::move(op));
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }

  P expr() { return logic_or(); }

  P logic_or() {
    P a = logic_and();
    while (a && is_word("or")) {
      int pos = tok_.pos;
      advance();
      P b = logic_and();
      if (!b) return nullptr;
      a = binary("or", pos, std::move(a), std::move(b));
    }
    return a;
  }

  P logic_and() {
    P a = logic_not();
    while (a && is_word("and")) {
      int pos = tok_.pos;
      advance();
      P b = logic_not();
      if (!b) return nullptr;
      a = binary("and", pos, std::move(a), std::move(b));
    }
    return a;
  }

  P logic_not() {
    if (is_word("not")) {
      int pos = tok_.pos;
      advance();
      P a = logic_not();
      if (!a) return nullptr;
      P n = make(NodeKind::kUnary, pos, "not");
      n->kids.push_back(std::move(a));
      return n;
    }
    return compare();
  }

  P compare() {
    P a = sum();
    if (!a) return nullptr;
    static constexpr std::string_view kOps[] = {"==", "!=", "<", "<=", ">", ">="};
    for (std::string_view op : kOps) {
      if (is_op(op)) {
        int pos = tok_.pos;
        advance();
        P b = sum();
        if (!b) return nullptr;
        return binary(std::string(op), pos, std::move(a), std::move(b));
      }
    }
    bool negated = is_word("not") && ahead_.kind == Tok::kName && ahead_.text == "in";
    if (negated || is_word("in")) {
      int pos = tok_.pos;
      advance();
      if (negated) advance();
      if (!is_op("[")) return fail(tok_, "expected a list '[...]' after 'in'");
      P b = primary();
      if (!b) return nullptr;
      return binary(negated ? "not in" : "in", pos, std::move(a), std::move(b));
    }
    return a;
  }

  P sum() {
    P a = product();
    while (a && (is_op("+") || is_op("-"))) {
      std::string op = tok_.text;
      int pos = tok_.pos;
      advance();
      P b = product();
      if (!b) return nullptr;
      a = binary(op, pos, std::move(a), std::move(b));
    }
    return a;
  }

  P product() {
    P a = unary();
    while (a && (is_op("*") || is_op("/") || is_op("%"))) {
      std::string op = tok_.text;
      int pos = tok_.pos;
      advance();
      P b = unary();
      if (!b) return nullptr;
      a = binary(op, pos, std::move(a), std::move(b));
    }
    return a;
  }

  P unary() {
    if (is_op("-")) {
      int pos = tok_.pos;
      advance();
      P a = unary();
      if (!a) return nullptr;
      P n = make(NodeKind::kUnary, pos, "-");
      n->kids.push_back(std::move(a));
      return n;
    }
    return postfix();
  }

  P postfix() {
    P a = primary();
    while (a && is_op(".")) {
      advance();
      if (tok_.kind != Tok::kName) return fail(tok_, "expected a name after '.'");
      P n = make(NodeKind::kMember, tok_.pos, tok_.text);
      n->kids.push_back(std::move(a));
      advance();
      a = std::move(n);
    }
    return a;
  }

  P primary() {
    Token t = tok_;
    switch (t.kind) {
      case Tok::kInt: {
        advance();
        P n = make(NodeKind::kInt, t.pos, t.text);
        n->i = t.i;
        n->d = t.d;
        return n;
      }
      case Tok::kNumber: {
        advance();
        P n = make(NodeKind::kNumber, t.pos, t.text);
        n->d = t.d;
        return n;
      }
      case Tok::kDuration: {
        advance();
        P n = make(NodeKind::kDuration, t.pos);
        n->i = t.i;
        return n;
      }
      case Tok::kString:
        advance();
        return make(NodeKind::kString, t.pos, t.text);
      case Tok::kName:
        return name();
      case Tok::kOp:
        if (t.text == "(") {
          advance();
          P e = expr();
          if (!e || !expect(")")) return nullptr;
          return e;
        }
        if (t.text == "[") return list();
        return fail(t, "expected a value, found " + describe(t));
      case Tok::kEnd:
        return fail(t, "expression ends too early");
      case Tok::kBad:
        return fail(t, t.text);
      case Tok::kStray:
        return fail(t, "unexpected character '" + t.text + "'");
    }
    return fail(t, "unexpected " + describe(t));
  }

  P name() {
    Token t = tok_;
    advance();
    if (t.text == "true" || t.text == "false") {
      P n = make(NodeKind::kBool, t.pos, t.text);
      n->i = t.text == "true";
      return n;
    }
    if (t.text == "and" || t.text == "or" || t.text == "not" || t.text == "in") {
      return fail(t, "expected a value, found '" + t.text + "'");
    }
    if (currency_code(t.text) && (tok_.kind == Tok::kInt || tok_.kind == Tok::kNumber)) {
      P n = make(NodeKind::kMoney, t.pos, t.text);
      n->money_text = tok_.text;
      n->d = tok_.d;
      advance();
      return n;
    }
    if (!is_op("(")) return make(NodeKind::kName, t.pos, t.text);
    advance();
    P call = make(NodeKind::kCall, t.pos, t.text);
    if (is_op(")")) {
      advance();
      return call;
    }
    for (;;) {
      std::string arg_name;
      if (tok_.kind == Tok::kName && ahead_.kind == Tok::kOp && ahead_.text == ":") {
        arg_name = tok_.text;
        advance();
        advance();
      }
      P arg = expr();
      if (!arg) return nullptr;
      call->kids.push_back(std::move(arg));
      call->arg_names.push_back(std::move(arg_name));
      if (is_op(",")) {
        advance();
        continue;
      }
      if (!expect(")")) return nullptr;
      return call;
    }
  }

  P list() {
    P n = make(NodeKind::kList, tok_.pos);
    advance();  // '['
    if (is_op("]")) {
      advance();
      return n;
    }
    for (;;) {
      P item = expr();
      if (!item) return nullptr;
      n->kids.push_back(std::move(item));
      if (is_op(",")) {
        advance();
        continue;
      }
      if (!expect("]")) return nullptr;
      return n;
    }
  }

  Lexer lex_;
  ParseError* error_;
  Token tok_;
  Token ahead_;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<Node> parse_expression(std::string_view text, ParseError* error) {
  Parser parser(text, error);
  return parser.parse();
}

bool split_template(std::string_view text, std::vector<TemplatePiece>* out, ParseError* error) {
  std::string literal;
  int literal_pos = 0;
  auto flush = [&] {
    if (!literal.empty()) out->push_back(TemplatePiece{false, std::move(literal), literal_pos});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      if (literal.empty()) literal_pos = static_cast<int>(i);
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      error->pos = static_cast<int>(i);
      error->message = "'}' without '{' in reason (write '}}' for a brace)";
      return false;
    }
    if (c != '{') {
      if (literal.empty()) literal_pos = static_cast<int>(i);
      literal += c;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      error->pos = static_cast<int>(i);
      error->message = "'{' without '}' in reason";
      return false;
    }
    flush();
    out->push_back(TemplatePiece{true, std::string(text.substr(i + 1, close - i - 1)),
                                 static_cast<int>(i + 1)});
    i = close;
  }
  flush();
  return true;
}

}  // namespace wf::rules::internal
