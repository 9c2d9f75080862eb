// Stateful features (windowed aggregates, prev, last_seen, streak, sequential_run), the
// per-key state layout they imply, and the driver that compiles a whole pack. A feature
// is identified by a signature (function, key, filter, window, value): identical
// features in several rules share one computation per event and one piece of state.
#include <algorithm>

#include "rules/compiler.h"

namespace wf::rules::internal {

bool lookup_field(std::string_view name, Field* field, Type* type);

namespace {

// Canonical text of a subtree, for signatures.
std::string sig(const Node& n) {
  switch (n.kind) {
    case NodeKind::kInt:
      return std::to_string(n.i);
    case NodeKind::kNumber:
      return "n" + n.text;
    case NodeKind::kDuration:
      return std::to_string(n.i) + "us";
    case NodeKind::kMoney:
      return n.text + " " + n.money_text;
    case NodeKind::kString:
      return "\"" + n.text + "\"";
    case NodeKind::kBool:
    case NodeKind::kName:
      return n.text;
    case NodeKind::kList:
    case NodeKind::kCall: {
      std::string out = n.kind == NodeKind::kList ? "[" : n.text + "(";
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) out += ",";
        if (n.kind == NodeKind::kCall && !n.arg_names[i].empty()) out += n.arg_names[i] + ":";
        out += sig(*n.kids[i]);
      }
      return out + (n.kind == NodeKind::kList ? "]" : ")");
    }
    case NodeKind::kUnary:
      return "(" + n.text + " " + sig(*n.kids[0]) + ")";
    case NodeKind::kBinary:
      return "(" + sig(*n.kids[0]) + " " + n.text + " " + sig(*n.kids[1]) + ")";
    case NodeKind::kMember:
      return sig(*n.kids[0]) + "." + n.text;
  }
  return "?";
}

struct Args {
  const Node* positional = nullptr;
  const Node* by = nullptr;
  const Node* window = nullptr;
  const Node* where = nullptr;
  const Node* prior = nullptr;
  const Node* within = nullptr;
  const Node* same = nullptr;
  const Node* id = nullptr;
  const Node* lookup = nullptr;
};

bool hashable(Type t) {
  return t == Type::kString || t == Type::kInt || t == Type::kMoney || t == Type::kBool ||
         t == Type::kNumber || t == Type::kDuration || t == Type::kTime;
}

}  // namespace

bool Compiler::duration_arg(const Node& n, const char* what, int64_t* out) {
  if (n.kind != NodeKind::kDuration) {
    error(n, std::string(what) + " must be a duration literal like 5m or 30d");
    return false;
  }
  if (n.i <= 0 || n.i > kMaxWindowUs) {
    error(n, std::string(what) + " must be between 1ms and 30d");
    return false;
  }
  *out = n.i;
  p_->longest_window_us = std::max(p_->longest_window_us, n.i);
  return true;
}

int Compiler::key_group(const Node& by) {
  std::vector<const Node*> names;
  if (by.kind == NodeKind::kList) {
    for (const auto& k : by.kids) names.push_back(k.get());
  } else {
    names.push_back(&by);
  }
  if (names.empty()) {
    error(by, "'by:' needs at least one field");
    return -1;
  }
  KeyGroup group;
  std::string signature;
  for (const Node* k : names) {
    Field field;
    Type type;
    if (k->kind != NodeKind::kName || !lookup_field(k->text, &field, &type)) {
      error(*k, "'by:' takes event fields (like user_id or [user_id, product_id])");
      return -1;
    }
    if (!hashable(type)) {
      error(*k, "cannot key by '" + k->text + "', a " + type_name(type));
      return -1;
    }
    group.fields.push_back(field);
    group.field_types.push_back(type);
    signature += (signature.empty() ? "" : ",") + k->text;
  }
  for (size_t i = 0; i < p_->groups.size(); ++i) {
    if (p_->groups[i].signature == signature) return static_cast<int>(i);
  }
  group.signature = signature;
  group.dense_user = signature == "user_id";
  if (!group.dense_user) {
    for (const Node* k : names) group.field_regs.push_back(compile_stateless(*k, "a key").reg);
  }
  p_->groups.push_back(std::move(group));
  return static_cast<int>(p_->groups.size() - 1);
}

Operand Compiler::call_feature(const Node& n) {
  const std::string& fn = n.text;
  if (stateless_depth_ > 0) {
    error(n, std::string(stateless_what_) + " cannot use the stateful feature '" + fn + "'");
    return Operand{};
  }
  Args a;
  const bool aggregate =
      fn != "prev" && fn != "last_seen" && fn != "streak" && fn != "sequential_run";
  for (size_t i = 0; i < n.kids.size(); ++i) {
    const std::string& name = n.arg_names[i];
    const Node* kid = n.kids[i].get();
    const Node** slot = name.empty()       ? &a.positional
                        : name == "by"     ? &a.by
                        : name == "window" ? &a.window
                        : name == "where"  ? &a.where
                        : name == "prior"  ? &a.prior
                        : name == "within" ? &a.within
                        : name == "same"   ? &a.same
                        : name == "id"     ? &a.id
                        : name == "lookup" ? &a.lookup
                                           : nullptr;
    bool allowed = slot != nullptr;
    if (allowed && name.empty()) allowed = aggregate && fn != "count";
    if (allowed && (name == "window" || name == "prior")) allowed = aggregate;
    if (allowed && name == "where") allowed = aggregate || fn == "prev";
    if (allowed && name == "within") allowed = fn == "prev" || fn == "sequential_run";
    if (allowed && name == "same") allowed = fn == "streak";
    if (allowed && name == "id") allowed = fn == "sequential_run";
    if (!allowed || *slot != nullptr) {
      error(*kid, name.empty()
                      ? "'" + fn + "' takes no positional argument here"
                      : "'" + fn + "' does not take '" + name + ":'" + (allowed ? " twice" : ""));
      return Operand{};
    }
    *slot = kid;
  }
  if (!a.by) {
    error(n, "'" + fn + "' needs 'by:' (the key, like by: user_id)");
    return Operand{};
  }
  int group = key_group(*a.by);
  if (group < 0) return Operand{};
  const std::string gsig = p_->groups[group].signature;
  int lookup = -1;
  if (a.lookup && (lookup = lookup_key(*a.lookup, group)) < 0) return Operand{};

  int32_t filter_reg = -1;
  std::string filter_sig;
  if (a.where) {
    Operand f = compile_stateless(*a.where, "'where:'");
    if (f.type == Type::kError) return Operand{};
    if (f.type != Type::kBool) {
      error(*a.where, std::string("'where:' must be a bool, got ") + type_name(f.type));
      return Operand{};
    }
    filter_reg = f.reg;
    filter_sig = sig(*a.where);
  }

  Feature feature;
  feature.group = static_cast<uint16_t>(group);
  if (fn == "prev") {
    int64_t within = 0;
    if (a.within && !duration_arg(*a.within, "'within:'", &within)) return Operand{};
    std::string bsig = gsig + "|" + filter_sig + "|" + std::to_string(within);
    for (size_t i = 0; i < p_->prevs.size(); ++i) {
      if (p_->prevs[i].signature == bsig) {
        return Operand{Type::kRecord, 0, false, static_cast<int>(i), lookup};
      }
    }
    PrevBlock block;
    block.group = feature.group;
    block.filter_reg = filter_reg;
    block.within_us = within;
    block.signature = bsig;
    p_->prevs.push_back(std::move(block));
    return Operand{Type::kRecord, 0, false, static_cast<int>(p_->prevs.size() - 1), lookup};
  }
  if (fn == "last_seen") {
    feature.kind = FeatureKind::kLastSeen;
    feature.type = Type::kTime;
    feature.signature = "last_seen|" + gsig;
  } else if (fn == "streak") {
    if (!a.same) {
      error(n, "'streak' needs 'same:' (the value that repeats, like same: product_id)");
      return Operand{};
    }
    Operand v = compile_stateless(*a.same, "'same:'");
    if (v.type == Type::kError) return Operand{};
    if (!hashable(v.type)) {
      error(*a.same, std::string("'same:' cannot be a ") + type_name(v.type));
      return Operand{};
    }
    std::string bsig = gsig + "|" + sig(*a.same);
    feature.kind = FeatureKind::kStreak;
    feature.type = Type::kInt;
    feature.signature = "streak|" + bsig;
    auto it = std::find_if(p_->streaks.begin(), p_->streaks.end(),
                           [&](const StreakBlock& s) { return s.signature == bsig; });
    if (it == p_->streaks.end()) {
      p_->streaks.push_back(StreakBlock{feature.group, v.reg, v.type, 0, bsig});
      it = p_->streaks.end() - 1;
    }
    feature.block = static_cast<uint16_t>(it - p_->streaks.begin());
  } else if (fn == "sequential_run") {
    if (!a.id || !a.within) {
      error(n, "'sequential_run' needs 'id:' (a field ending in a number) and 'within:'");
      return Operand{};
    }
    int64_t within = 0;
    if (!duration_arg(*a.within, "'within:'", &within)) return Operand{};
    Operand v = compile_stateless(*a.id, "'id:'");
    if (v.type == Type::kError) return Operand{};
    if (v.type != Type::kString && v.type != Type::kInt) {
      error(*a.id, std::string("'id:' must be a string or an integer, got ") + type_name(v.type));
      return Operand{};
    }
    std::string bsig = gsig + "|" + sig(*a.id) + "|" + std::to_string(within);
    feature.kind = FeatureKind::kSeqRun;
    feature.type = Type::kInt;
    feature.signature = "seqrun|" + bsig;
    auto it = std::find_if(p_->seqruns.begin(), p_->seqruns.end(),
                           [&](const SeqRunBlock& s) { return s.signature == bsig; });
    if (it == p_->seqruns.end()) {
      p_->seqruns.push_back(SeqRunBlock{feature.group, v.reg, v.type, within, 0, bsig});
      it = p_->seqruns.end() - 1;
    }
    feature.block = static_cast<uint16_t>(it - p_->seqruns.begin());
  } else {
    // Windowed aggregates over the key's ring.
    if (!a.window) {
      error(n, "'" + fn + "' needs 'window:' (a duration like 5m)");
      return Operand{};
    }
    if (!duration_arg(*a.window, "'window:'", &feature.window_us)) return Operand{};
    if (a.prior) {
      if (a.prior->kind != NodeKind::kBool) {
        error(*a.prior, "'prior:' must be true or false");
        return Operand{};
      }
      feature.prior = a.prior->i != 0;
    }
    if (fn != "count" && !a.positional) {
      error(n, "'" + fn + "' needs the value to aggregate as its first argument");
      return Operand{};
    }
    std::string rsig = gsig + "|" + filter_sig;
    auto ring = std::find_if(p_->rings.begin(), p_->rings.end(),
                             [&](const Ring& r) { return r.signature == rsig; });
    if (ring == p_->rings.end()) {
      Ring r;
      r.group = feature.group;
      r.filter_reg = filter_reg;
      r.capacity = in_.window_events;
      r.signature = rsig;
      p_->rings.push_back(std::move(r));
      ring = p_->rings.end() - 1;
    }
    feature.block = static_cast<uint16_t>(ring - p_->rings.begin());
    feature.signature =
        fn + "|" + rsig + "|" + std::to_string(feature.window_us) + (feature.prior ? "|prior" : "");
    if (fn == "count") {
      feature.kind = FeatureKind::kCount;
      feature.type = Type::kInt;
    } else {
      Operand v = compile_stateless(*a.positional, "an aggregated value");
      if (v.type == Type::kError) return Operand{};
      const bool distinct = fn == "distinct_count";
      Type t = v.type;
      const bool extreme = fn == "min" || fn == "max";
      bool ok = distinct ? hashable(t)
                         : (t == Type::kInt || t == Type::kNumber || t == Type::kMoney ||
                            t == Type::kDuration || (extreme && t == Type::kTime));
      if (!ok) {
        error(*a.positional, "'" + fn + "' cannot aggregate a " + std::string(type_name(t)));
        return Operand{};
      }
      std::string csig = sig(*a.positional) + (distinct ? "#" : "");
      feature.signature += "|" + csig;
      auto& columns = ring->columns;
      size_t c = 0;
      while (c < columns.size() && columns[c].signature != csig) ++c;
      if (c == columns.size()) columns.push_back(Column{v.reg, t, distinct, 0, csig});
      feature.column = static_cast<uint16_t>(c);
      using K = FeatureKind;
      feature.kind = distinct      ? K::kDistinct
                     : fn == "sum" ? K::kSum
                     : fn == "avg" ? K::kAvg
                     : fn == "min" ? K::kMin
                     : fn == "max" ? K::kMax
                                   : K::kStddev;
      feature.type = distinct ? Type::kInt
                     : ((feature.kind == K::kAvg || feature.kind == K::kStddev) && t == Type::kInt)
                         ? Type::kNumber
                         : t;
    }
  }
  if (lookup >= 0) {
    feature.lookup = static_cast<int16_t>(lookup);
    feature.signature += "|lookup:" + p_->lookups[static_cast<size_t>(lookup)].signature;
  }
  return use_feature(std::move(feature));
}

int Compiler::lookup_key(const Node& fields, int group) {
  const KeyGroup& g = p_->groups[static_cast<size_t>(group)];
  if (g.dense_user) {
    error(fields, "'lookup:' needs a key other than user_id alone (by: counterparty_id, ...)");
    return -1;
  }
  std::vector<const Node*> names;
  if (fields.kind == NodeKind::kList) {
    for (const auto& k : fields.kids) names.push_back(k.get());
  } else {
    names.push_back(&fields);
  }
  if (names.size() != g.fields.size()) {
    error(fields,
          "'lookup:' needs as many fields as 'by:' (" + std::to_string(g.fields.size()) + ")");
    return -1;
  }
  LookupKey key;
  key.group = static_cast<uint16_t>(group);
  for (size_t i = 0; i < names.size(); ++i) {
    Field field;
    Type type;
    if (names[i]->kind != NodeKind::kName || !lookup_field(names[i]->text, &field, &type)) {
      error(*names[i], "'lookup:' takes event fields");
      return -1;
    }
    if (type != g.field_types[i]) {
      error(*names[i], std::string("'lookup:' field is a ") + type_name(type) +
                           ", the key field a " + type_name(g.field_types[i]));
      return -1;
    }
    key.field_types.push_back(type);
    key.field_regs.push_back(compile_stateless(*names[i], "a key").reg);
    key.signature += (i ? "," : "") + names[i]->text;
  }
  key.signature = std::to_string(group) + ":" + key.signature;
  for (size_t i = 0; i < p_->lookups.size(); ++i) {
    if (p_->lookups[i].signature == key.signature) return static_cast<int>(i);
  }
  p_->lookups.push_back(std::move(key));
  return static_cast<int>(p_->lookups.size() - 1);
}

Operand Compiler::use_feature(Feature feature) {
  size_t index = 0;
  while (index < p_->features.size() && p_->features[index].signature != feature.signature) {
    ++index;
  }
  if (index == p_->features.size()) {
    feature.reg = new_reg();
    p_->features.push_back(std::move(feature));
  }
  const Feature& f = p_->features[index];
  emit(Insn{Op::kFeature, Cmp::kEq, f.reg, 0, 0, static_cast<uint32_t>(index)});
  return Operand{f.type, f.reg, false};
}

Operand Compiler::member(const Node& n) {
  Operand rec = compile(*n.kids[0]);
  if (rec.type == Type::kError) return rec;
  if (rec.type != Type::kRecord) {
    error(n, "'." + n.text + "' applies only to prev(...), not to a " + type_name(rec.type));
    return Operand{};
  }
  PrevBlock& block = p_->prevs[static_cast<size_t>(rec.prev_block)];
  Feature feature;
  feature.group = block.group;
  feature.block = static_cast<uint16_t>(rec.prev_block);
  feature.signature = "prev|" + block.signature + "|" + n.text;
  if (rec.lookup >= 0) {
    feature.lookup = static_cast<int16_t>(rec.lookup);
    feature.signature += "|lookup:" + p_->lookups[static_cast<size_t>(rec.lookup)].signature;
  }
  if (n.text == "age") {
    feature.kind = FeatureKind::kPrevAge;
    feature.type = Type::kDuration;
    return use_feature(std::move(feature));
  }
  if (n.text == "ts" || n.text == "event_ts") {
    feature.kind = FeatureKind::kPrevTime;
    feature.type = Type::kTime;
    return use_feature(std::move(feature));
  }
  Field field;
  Type type;
  std::string name = n.text == "amount_" + lower_base_code() ? "amount" : n.text;
  if (!lookup_field(name, &field, &type)) {
    error(n, "prev(...) has no '" + n.text + "' (members: age, ts, and the event's fields)");
    return Operand{};
  }
  feature.kind = FeatureKind::kPrevAttr;
  feature.type = type;
  auto it = std::find_if(block.attrs.begin(), block.attrs.end(),
                         [&](const PrevAttr& a) { return a.name == name; });
  if (it == block.attrs.end()) {
    Node field_node;
    field_node.kind = NodeKind::kName;
    field_node.pos = n.pos;
    field_node.text = name;
    uint16_t reg = compile_stateless(field_node, "a prev attribute").reg;
    PrevBlock& b = p_->prevs[static_cast<size_t>(rec.prev_block)];  // compile may not move it
    b.attrs.push_back(PrevAttr{name, reg, type, 0});
    it = b.attrs.end() - 1;
    feature.column = static_cast<uint16_t>(b.attrs.size() - 1);
  } else {
    feature.column = static_cast<uint16_t>(it - block.attrs.begin());
  }
  return use_feature(std::move(feature));
}

}  // namespace wf::rules::internal
