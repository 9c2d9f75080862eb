// Compiles a whole pack: named features, then each rule's condition and reason, then
// lays out the per-key state and joins prologue and rule code into one Program.
#include <algorithm>
#include <cctype>

#include "rules/compiler.h"

namespace wf::rules::internal {

bool lookup_field(std::string_view name, Field* field, Type* type);

namespace {

// Assigns word offsets to every block of every key group.
void lay_out(Program* p) {
  for (KeyGroup& g : p->groups) g.stride = kHeaderWords;
  for (Ring& r : p->rings) {
    KeyGroup& g = p->groups[r.group];
    r.offset = g.stride;
    uint32_t size = 3 + static_cast<uint32_t>(r.capacity);
    for (Column& c : r.columns) {
      c.offset = size;
      size += static_cast<uint32_t>(r.capacity) * (c.hashed ? 1 : 2);
    }
    g.stride += size;
  }
  for (PrevBlock& b : p->prevs) {
    KeyGroup& g = p->groups[b.group];
    b.offset = g.stride;
    for (size_t i = 0; i < b.attrs.size(); ++i)
      b.attrs[i].offset = 3 + 2 * static_cast<uint32_t>(i);
    g.stride += 3 + 2 * static_cast<uint32_t>(b.attrs.size());
  }
  for (StreakBlock& s : p->streaks) {
    KeyGroup& g = p->groups[s.group];
    s.offset = g.stride;
    g.stride += 3;
  }
  for (SeqRunBlock& s : p->seqruns) {
    KeyGroup& g = p->groups[s.group];
    s.offset = g.stride;
    g.stride += 5;
  }
}

}  // namespace

std::string Compiler::lower_base_code() const {
  std::string code(in_.base_currency.code());
  for (char& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

void Compiler::compile_rule(size_t index) {
  const CompileInput::RuleInput& rule = in_.rules[index];
  RuleCode rc;
  const size_t begin = body_.size();  // this rule's condition: body_[begin, end)
  source_ = rule.when;
  ParseError perr;
  std::unique_ptr<Node> tree = parse_expression(in_.sources[rule.when].text, &perr);
  if (!tree) {
    error_at(perr.pos, perr.message);
  } else {
    // A rule fires only when its condition is true, so a top-level `a and b and c` needs
    // no three-valued logic: each conjunct but the last jumps past the rule unless true
    // (fused into its comparison when it is one).
    std::vector<const Node*> conjuncts;
    std::vector<const Node*> stack{tree.get()};
    while (!stack.empty()) {
      const Node* n = stack.back();
      stack.pop_back();
      if (n->kind == NodeKind::kBinary && n->text == "and") {
        stack.push_back(n->kids[1].get());
        stack.push_back(n->kids[0].get());
      } else {
        conjuncts.push_back(n);
      }
    }
    std::vector<size_t> exits;
    bool ok = true;
    for (size_t c = 0; c < conjuncts.size(); ++c) {
      Operand cond = compile(*conjuncts[c]);
      if (cond.type == Type::kError) {
        ok = false;
        continue;
      }
      if (cond.type != Type::kBool) {
        error(*conjuncts[c],
              std::string("the condition must be a bool, got ") + type_name(cond.type));
        ok = false;
        continue;
      }
      Insn* last = body_.size() > begin ? &body_.back() : nullptr;
      if (c + 1 == conjuncts.size()) {
        if (last && last->dst == cond.reg && last->op == Op::kCmpI) {
          last->op = Op::kCmpIFire;
          last->aux = static_cast<uint32_t>(index);
        } else {
          emit(Insn{Op::kFire, Cmp::kEq, 0, cond.reg, 0, static_cast<uint32_t>(index)});
        }
        break;
      }
      if (last && last->dst == cond.reg && (last->op == Op::kCmpI || last->op == Op::kCmpD)) {
        last->op = last->op == Op::kCmpI ? Op::kCmpIJump : Op::kCmpDJump;
      } else {
        emit(Insn{Op::kJumpUnlessTrue, Cmp::kEq, 0, cond.reg, 0, 0});
      }
      exits.push_back(body_.size() - 1);
    }
    if (!ok) body_.resize(begin);
    for (size_t e : exits) {
      if (e < body_.size()) body_[e].aux = static_cast<uint32_t>(body_.size());
    }
  }
  rc.reason_begin = static_cast<uint32_t>(reasons_.size());
  if (rule.reason >= 0) {
    source_ = rule.reason;
    code_ = &reasons_;
    std::vector<TemplatePiece> pieces;
    if (!split_template(in_.sources[rule.reason].text, &pieces, &perr)) {
      error_at(perr.pos, perr.message);
      pieces.clear();
    }
    for (const TemplatePiece& piece : pieces) {
      ReasonPiece out;
      if (!piece.is_expr) {
        out.literal = piece.text;
        rc.reason.push_back(std::move(out));
        continue;
      }
      ParseError e;
      std::unique_ptr<Node> t = parse_expression(piece.text, &e);
      if (!t) {
        error_at(piece.pos + e.pos, e.message);
        continue;
      }
      // Node offsets are relative to the piece: shift errors by re-basing positions.
      std::vector<Node*> stack{t.get()};
      while (!stack.empty()) {
        Node* node = stack.back();
        stack.pop_back();
        node->pos += piece.pos;
        for (auto& k : node->kids) stack.push_back(k.get());
      }
      Operand v = compile(*t);
      if (v.type == Type::kError) continue;
      if (v.type == Type::kRecord) {
        error(*t, "a reason shows values: write a member like prev(...).age");
        continue;
      }
      out.reg = v.reg;
      out.type = v.type;
      rc.reason.push_back(std::move(out));
    }
  }
  code_ = &body_;
  rc.reason_end = static_cast<uint32_t>(reasons_.size());
  p_->rules.push_back(std::move(rc));
}

void Compiler::compile_output(int source) {
  source_ = source;
  code_ = &outputs_;
  OutputCode out;
  ParseError perr;
  std::unique_ptr<Node> tree = parse_expression(in_.sources[source].text, &perr);
  if (!tree) {
    error_at(perr.pos, perr.message);
  } else {
    Operand v = compile(*tree);
    switch (v.type) {
      case Type::kError:
        break;
      case Type::kBool:
      case Type::kInt:
      case Type::kNumber:
      case Type::kMoney:
      case Type::kDuration:
      case Type::kTime:
        out.reg = v.reg;
        out.type = v.type;
        break;
      default:
        error(*tree, std::string("a model feature is a number (bool, integer, number, money, "
                                 "duration or time), got ") +
                         type_name(v.type));
    }
  }
  code_ = &body_;
  p_->outputs.push_back(out);
}

bool Compiler::run() {
  p_->idle_expiry_us = in_.idle_expiry_us;
  for (const auto& [name, src] : in_.features) {
    source_ = src;
    Field field;
    Type type;
    if (lookup_field(name, &field, &type) || name == "home_country" ||
        name == "amount_" + lower_base_code()) {
      error_at(0, "feature '" + name + "' has the name of an event field");
      continue;
    }
    ParseError perr;
    std::unique_ptr<Node> tree = parse_expression(in_.sources[src].text, &perr);
    if (!tree) error_at(perr.pos, perr.message);
    feature_trees_[name] = std::move(tree);
  }
  for (size_t i = 0; i < in_.rules.size(); ++i) compile_rule(i);
  for (int source : in_.outputs) compile_output(source);
  // Named features no rule uses are still checked, so a typo in one is not silent; in a
  // scratch program, so they add no state or code.
  for (const auto& [name, src] : in_.features) {
    auto it = feature_trees_.find(name);
    if (it == feature_trees_.end() || !it->second || used_.count(name)) continue;
    Program scratch;
    Compiler checker(in_, &scratch, errors_);
    for (const auto& [other, other_src] : in_.features) {
      ParseError ignored;  // reported above
      checker.feature_trees_[other] = parse_expression(in_.sources[other_src].text, &ignored);
    }
    checker.reported_ = reported_;
    checker.source_ = src;
    checker.expanding_.push_back(name);
    (void)checker.compile(*checker.feature_trees_[name]);
  }
  if (p_->features.size() > kMaxFeatures) {
    source_ = in_.rules.empty() ? 0 : in_.rules.back().when;
    error_at(0, "the pack uses " + std::to_string(p_->features.size()) +
                    " distinct stateful features, more than " + std::to_string(kMaxFeatures));
  }
  if (!errors_->empty()) return false;

  // Join the segments, moving each one's jump targets along.
  auto append = [&](const std::vector<Insn>& segment) {
    const uint32_t shift = static_cast<uint32_t>(p_->code.size());
    for (Insn insn : segment) {
      if (is_jump(insn.op)) insn.aux += shift;
      p_->code.push_back(insn);
    }
    return shift;
  };
  append(loads_);
  append(prologue_);
  const uint32_t body = append(body_);
  const uint32_t reasons = append(reasons_);
  p_->outputs_begin = append(outputs_);
  p_->outputs_end = static_cast<uint32_t>(p_->code.size());
  p_->prologue_end = body;
  p_->rules_end = reasons;
  for (RuleCode& rc : p_->rules) {
    rc.reason_begin += reasons;
    rc.reason_end += reasons;
  }
  p_->registers = static_cast<uint16_t>(p_->constants.size());
  lay_out(p_);
  return true;
}

bool compile(const CompileInput& input, Program* out, std::vector<CompileError>* errors) {
  Compiler compiler(input, out, errors);
  if (!compiler.run()) return false;
  if (out->constants.size() > 65535) {
    errors->push_back(CompileError{0, 0, "the pack needs more than 65535 registers"});
    return false;
  }
  return true;
}

}  // namespace wf::rules::internal
