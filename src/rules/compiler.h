// The rule-language compiler: type-checks every named feature, condition and reason of
// a pack once and emits one Program. Internal to the rules module. All errors are
// collected (one per expression at most for syntax, every type error otherwise) with
// the source they belong to and a byte offset into it; the pack loader maps those to
// FILE:LINE:COLUMN.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "rules/expr_ast.h"
#include "rules/program.h"

namespace wf::rules::internal {

struct CompileError {
  int source = 0;  // index into CompileInput::sources
  int pos = 0;     // byte offset in that source's text
  std::string message;
};

struct Source {
  std::string text;
  std::string context;  // "rule R003", "feature last_place"
};

struct CompileInput {
  std::vector<Source> sources;
  // Named features: name -> source index of its expression.
  std::vector<std::pair<std::string, int>> features;
  struct RuleInput {
    int when = -1;    // source index
    int reason = -1;  // source index, -1 when the rule has no reason template
  };
  std::vector<RuleInput> rules;
  // Model features ([[model_feature]]): each expression's source index, in order.
  std::vector<int> outputs;
  Currency base_currency = Currency::php();
  std::string home_country = "PH";
  // Converts a money literal in another currency to base minor units (the pack's FX).
  std::function<Result<int64_t>(const Money&)> to_base;
  int window_events = 32;
  int64_t idle_expiry_us = 0;
};

bool compile(const CompileInput& input, Program* out, std::vector<CompileError>* errors);

// Limits the state layout relies on: ring times are 32-bit millisecond offsets.
inline constexpr int64_t kMaxWindowUs = 30 * 86'400'000'000LL;
inline constexpr int kMaxWindowEvents = kMaxRingCapacity;
inline constexpr size_t kMaxFeatures = 64;  // the per-event "computed" mask
inline constexpr size_t kMaxModelFeatures = 256;

// The compiler's working state, shared by compiler.cc (expressions) and
// compiler_features.cc (stateful features). One per compile() call.
struct Operand {
  Type type = Type::kError;
  uint16_t reg = 0;
  bool constant = false;
  // kRecord operands (prev(...)): the block, and the lookup key its members read at.
  int prev_block = -1;
  int lookup = -1;
};

class Compiler {
 public:
  Compiler(const CompileInput& input, Program* program, std::vector<CompileError>* errors);
  bool run();

  // --- used by compiler_features.cc ---
  Operand compile(const Node& n);
  Operand compile_stateless(const Node& n, const char* what);
  void error(const Node& n, std::string message);
  void error_at(int pos, std::string message);
  uint16_t new_reg();
  uint16_t constant(const Reg& value);
  Operand int_constant(int64_t v, Type t = Type::kInt);
  Operand string_constant(const std::string& text);
  void emit(Insn insn);
  Operand call_feature(const Node& call);
  Operand member(const Node& n);
  Operand use_feature(Feature feature);
  int lookup_key(const Node& fields, int group);
  std::string lower_base_code() const;
  // Key fields of `by:`: a field name or a list of them.
  int key_group(const Node& by);
  bool duration_arg(const Node& n, const char* what, int64_t* out);

  const CompileInput& in_;
  Program* p_;

 private:
  Operand binary(const Node& n);
  Operand arith(const Node& n, Operand a, Operand b);
  Operand comparison(const Node& n, Operand a, Operand b);
  void check_count_capacity(const Node& n, const Operand& a, const Operand& b, Cmp cmp);
  Operand logic(const Node& n);
  Operand membership(const Node& n);
  Operand unary(const Node& n);
  Operand name(const Node& n);
  Operand call(const Node& n);
  Operand literal(const Node& n);
  Operand to_number(Operand a);
  int feature_source(const std::string& name) const;
  void compile_rule(size_t index);
  void compile_output(int source);

  std::vector<CompileError>* errors_;
  int source_ = 0;  // the source being compiled (for error positions)
  int stateless_depth_ = 0;
  const char* stateless_what_ = "";
  // Code segments, joined in this order by run(): each event field the pack reads is
  // loaded once per event into its own register (loads_), then the values the state
  // keeps (prologue_), the rule conditions back to back (body_), and the reason
  // expressions (reasons_), which run only for fired rules.
  std::vector<Insn> loads_;
  std::vector<Insn> prologue_;
  std::vector<Insn> body_;
  std::vector<Insn> reasons_;
  std::vector<Insn> outputs_;  // model features, computed for scoring and training only
  std::vector<Insn>* code_ = &body_;
  std::map<int, uint16_t> field_regs_;
  std::vector<std::string> expanding_;  // named features being compiled (cycle check)
  std::map<std::string, std::unique_ptr<Node>> feature_trees_;
  std::set<std::pair<int, std::string>> reported_;
  std::set<std::string> used_;  // named features some rule refers to
  std::map<std::string, uint16_t> constant_ints_;
  friend class FeatureBuilder;
};

}  // namespace wf::rules::internal
