// A compiled rule pack: register bytecode for the conditions and reasons, and the
// layout of the per-key state the stateful features read and the fold updates.
// Internal to the rules module; built once by compiler.cc, immutable afterwards, run by
// engine.cc. Instructions address registers by index; registers [0, constants.size())
// hold constants and are never written.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wf::rules::internal {

enum class Type : uint8_t {
  kError,  // a subexpression that already failed to check (suppresses follow-on errors)
  kBool,
  kInt,
  kNumber,
  kMoney,     // base-currency minor units
  kDuration,  // microseconds
  kTime,      // microseconds since the epoch
  kString,
  kLocation,  // d = latitude, d2 = longitude
  kRecord,    // prev(...): only its members are values
};
const char* type_name(Type t);

// One register (Program::constants holds every register's initial value). Every value may be
// missing (`null`): an absent field, a key never seen, an empty window. Comparisons with a missing
// value are missing, and a rule fires only when its condition is true, so missing data never fires
// a rule.
struct Reg {
  union {
    int64_t i = 0;  // bool, int, money, duration, time; string length
    double d;       // number, latitude
  };
  union {
    double d2 = 0;  // longitude
    const char* s;  // string bytes (length in i)
  };
  bool null = true;
};

// Every instruction, in dispatch-table order (engine.cc threads through them with
// computed gotos, so the list is written once, here).
//   kField         dst = event field aux
//   kI2D           int -> number
//   kMulMoney      money * number -> money, rounded half away from zero
//   kDivMoney      money / number -> money
//   kDivMoneyMoney money / money -> number (also durations)
//   kCmpI, kCmpD   dst = a <cmp> b
//   kCmpIJump ..   the same, then jump to aux unless true (top-level `and` chains)
//   kInS, kInI ..  a in list aux
//   kJumpIfFalse   if a is false: dst = false, jump to aux (short-circuit `and`)
//   kJumpIfTrue    if a is true: dst = true, jump to aux (short-circuit `or`)
//   kJumpUnlessTrue  jump to aux unless a is true (rule conjuncts)
//   kFartherThan   dst = distance(a, b) > constant register aux
//   kIsRound       money a is a multiple of money b
//   kDaysSince     days from time a to the event's time
//   kFeature       compute feature aux (once per event) into dst
//   kFire          rule aux fired when a is true
//   kCmpIFire      rule aux fired when a <cmp> b (a rule's last conjunct)
//   kLoad*         dst = the field at byte offset aux of the transaction (b = 0) or of
//                  the enriched event (b = 1): most fields, without kField's switch
// clang-format off
#define WF_RULE_OPS(X) \
  X(kField) X(kMove) X(kAddI) X(kSubI) X(kMulI) X(kModI) \
  X(kAddD) X(kSubD) X(kMulD) X(kDivD) X(kModD) X(kI2D) \
  X(kNegI) X(kNegD) X(kAbsI) X(kAbsD) X(kMinI) X(kMaxI) \
  X(kMinD) X(kMaxD) X(kMulMoney) X(kDivMoney) X(kDivMoneyMoney) X(kCmpI) \
  X(kCmpD) X(kCmpIJump) X(kCmpDJump) X(kEqS) X(kNeS) X(kInS) \
  X(kInI) X(kInD) X(kNot) X(kAnd) X(kOr) X(kJumpIfFalse) \
  X(kJumpIfTrue) X(kJumpUnlessTrue) X(kDistance) X(kFartherThan) X(kIsRound) X(kDaysSince) \
  X(kValidGeo) X(kMakeLocation) X(kExists) X(kCoalesce) X(kRound) X(kFeature) \
  X(kFire) X(kCmpIFire) X(kLoadI64) X(kLoadI32) X(kLoadBool) X(kLoadStr)
// clang-format on

enum class Op : uint8_t {
#define WF_RULE_OP_ENUM(name) name,
  WF_RULE_OPS(WF_RULE_OP_ENUM)
#undef WF_RULE_OP_ENUM
};

inline bool is_jump(Op op) {
  return op == Op::kJumpIfFalse || op == Op::kJumpIfTrue || op == Op::kJumpUnlessTrue ||
         op == Op::kCmpIJump || op == Op::kCmpDJump;
}

enum class Cmp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct Insn {
  Op op;
  Cmp cmp = Cmp::kEq;
  uint16_t dst = 0;
  uint16_t a = 0;
  uint16_t b = 0;
  uint32_t aux = 0;
};

enum class Field : uint8_t {
  kTs,
  kAmount,
  kCurrency,
  kType,
  kStatus,
  kChannel,
  kPaymentMethod,
  kCountry,
  kProvince,
  kCity,
  kMerchantId,
  kCounterpartyId,
  kDeviceId,
  kProductId,
  kUserId,
  kTransactionId,
  kLocation,
  kLat,
  kLon,
  kHasLocation,
  kQuantity,
  kLocalHour,
  kWeekday,
  kOrigBalanceBefore,
  kOrigBalanceAfter,
  kDestBalanceBefore,
  kDestBalanceAfter,
  kHasBalances,
  kHomeProvince,
  kHomeLocation,
  kMerchantRisk,
};

enum class FeatureKind : uint8_t {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kStddev,
  kDistinct,  // over a ring
  kPrevTime,
  kPrevAge,
  kPrevAttr,  // over a prev block
  kLastSeen,  // the key group's header
  kStreak,
  kSeqRun,
};

struct Feature {
  FeatureKind kind;
  Type type;
  uint16_t group = 0;
  uint16_t block = 0;   // ring, prev, streak or seqrun index
  uint16_t column = 0;  // ring value column, prev attribute
  uint16_t reg = 0;     // where the value is kept for the rest of the event
  int16_t lookup = -1;  // >= 0: read the state of another key (Program::lookups)
  int64_t window_us = 0;
  bool prior = false;     // only events before this one
  std::string signature;  // identical features share one computation
};

inline constexpr int kMaxRingCapacity = 255;

// Per-key state is uint32 words; a key's slot is [header | blocks...] of its group.
inline constexpr uint32_t kHeaderWords = 2;  // last_seen (int64 microseconds, 0 = never)

struct Column {
  uint16_t value_reg = 0;  // the event's value, computed by the prologue
  Type type = Type::kInt;
  bool hashed = false;  // distinct_count keeps a 32-bit hash, others 64-bit values
  uint32_t offset = 0;  // words from the ring's start
  std::string signature;
};

// The newest `capacity` event times of a key (that pass `filter`), sorted, as 32-bit
// millisecond offsets from a base; value columns move with their times.
// Layout: base (2 words), size (1), times[capacity], then each column.
struct Ring {
  uint16_t group = 0;
  int32_t filter_reg = -1;
  uint32_t offset = 0;  // in the slot
  int capacity = 0;
  std::vector<Column> columns;
  std::string signature;
};

struct PrevAttr {
  std::string name;  // event field, or "location"
  uint16_t value_reg = 0;
  Type type = Type::kInt;
  uint32_t offset = 0;  // words from the block's start: 2 words per attribute
};

// The newest (by event time) event of a key that passes `filter`: its time and the
// attributes the rules read. Layout: time (2 words), flags (1), attributes.
struct PrevBlock {
  uint16_t group = 0;
  int32_t filter_reg = -1;
  int64_t within_us = 0;  // 0 = no limit; otherwise missing when farther away in time
  uint32_t offset = 0;
  std::vector<PrevAttr> attrs;
  std::string signature;
};

// Consecutive events of a key with the same value. Layout: hash (2), count (1).
struct StreakBlock {
  uint16_t group = 0;
  uint16_t value_reg = 0;
  Type value_type = Type::kString;
  uint32_t offset = 0;
  std::string signature;
};

// Consecutive numeric ids (the digits at the end of `id`) in events of a key, each
// within `within_us` of the previous. Layout: last number (2), last time (2), run (1).
struct SeqRunBlock {
  uint16_t group = 0;
  uint16_t id_reg = 0;
  Type id_type = Type::kString;
  int64_t within_us = 0;
  uint32_t offset = 0;
  std::string signature;
};

struct KeyGroup {
  std::vector<Field> fields;
  std::vector<uint16_t> field_regs;
  std::vector<Type> field_types;
  bool dense_user = false;  // keyed by user_id alone: the dense user index
  uint32_t stride = kHeaderWords;
  std::string signature;
};

// `lookup:` reads a hashed group's state at the key formed by other fields of the event
// (the last transfer *into* the account now cashing out: by: counterparty_id, lookup:
// user_id). Keys hash values only, so equal values find the same key.
struct LookupKey {
  uint16_t group = 0;
  std::vector<uint16_t> field_regs;
  std::vector<Type> field_types;
  std::string signature;
};

struct StringList {
  std::vector<std::string> items;
};

struct ReasonPiece {
  std::string literal;
  int32_t reg = -1;  // >= 0: the value of this register, formatted
  Type type = Type::kInt;
};

struct RuleCode {
  uint32_t reason_begin = 0;  // code computing the reason's registers
  uint32_t reason_end = 0;
  std::vector<ReasonPiece> reason;
};

// A model feature's value: the register it ends in, and its type (a number for the model).
struct OutputCode {
  uint16_t reg = 0;
  Type type = Type::kNumber;
};

struct Program {
  std::vector<Reg> constants;
  uint16_t registers = 0;  // total, constants included
  std::vector<Insn> code;
  uint32_t prologue_end = 0;  // code[0, prologue_end) runs first for every event
  uint32_t rules_end = 0;     // code[prologue_end, rules_end): every rule's condition
  std::vector<RuleCode> rules;
  // code[outputs_begin, outputs_end): every model feature, after the rules and before the
  // event is folded into the state; the values end in outputs[i].reg.
  uint32_t outputs_begin = 0;
  uint32_t outputs_end = 0;
  std::vector<OutputCode> outputs;
  std::vector<Feature> features;
  std::vector<KeyGroup> groups;
  std::vector<LookupKey> lookups;
  std::vector<Ring> rings;
  std::vector<PrevBlock> prevs;
  std::vector<StreakBlock> streaks;
  std::vector<SeqRunBlock> seqruns;
  std::vector<StringList> string_lists;
  std::vector<std::unique_ptr<std::string>> strings;  // string constants point here
  std::vector<std::vector<int64_t>> int_lists;
  std::vector<std::vector<double>> number_lists;
  int64_t longest_window_us = 0;  // windows and `within` limits
  int64_t idle_expiry_us = 0;     // hashed keys idle this long are dropped
};

}  // namespace wf::rules::internal
