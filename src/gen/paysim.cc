#include "gen/paysim.h"

#include <cmath>
#include <deque>
#include <vector>

#include "codec/paysim.h"
#include "core/rng.h"

namespace wf::gen {
namespace {

using domain::TxType;
constexpr int64_t kLargeTransfer = 200'000'00;  // PaySim's isFlaggedFraud threshold, cents

struct Row {
  TxType type;
  int64_t amount;
  std::string orig;
  int64_t orig_before, orig_after;
  std::string dest;
  int64_t dest_before, dest_after;
  bool fraud = false;
  std::string pattern;
};

}  // namespace

namespace {
std::string customer_account(uint64_t i) { return "C" + std::to_string(1'000'000'000 + i); }
std::string merchant_account(uint64_t i) { return "M" + std::to_string(1'000'000'000 + i); }
}  // namespace

PaysimDimensions paysim_dimensions(const PaysimOptions& o) {
  PaysimDimensions d;
  d.accounts.reserve(static_cast<size_t>(o.accounts));
  for (int64_t i = 0; i < o.accounts; ++i) {
    domain::User u;
    u.user_id = customer_account(static_cast<uint64_t>(i));
    u.full_name = u.user_id;
    d.accounts.push_back(std::move(u));
  }
  d.merchants.reserve(static_cast<size_t>(o.merchants));
  for (int64_t i = 0; i < o.merchants; ++i) {
    domain::Merchant m;
    m.merchant_id = merchant_account(static_cast<uint64_t>(i));
    m.merchant_name = m.merchant_id;
    m.category = "PAYMENT";
    d.merchants.push_back(std::move(m));
  }
  return d;
}

class PaysimGenerator::Impl {
 public:
  explicit Impl(const PaysimOptions& o) : o_(o), rng_(o.seed * 0x9e3779b97f4a7c15ULL + 3) {
    balances_.resize(static_cast<size_t>(o.accounts));
    for (int64_t& b : balances_) b = lognormal(30'000'00, 1.2);
  }

  bool next(std::string* out, Label* label, int* baseline) {
    if (emitted_ >= o_.count) return false;
    if (pending_.empty()) refill();
    Row r = std::move(pending_.front());
    pending_.pop_front();
    const int64_t step = emitted_ * o_.steps / o_.count;
    const size_t start = out->size();
    const bool flagged = r.type == TxType::kTransfer && r.amount > kLargeTransfer;
    codec::append_paysim_row(out, step, r.type, r.amount, r.orig, r.orig_before, r.orig_after,
                             r.dest, r.dest_before, r.dest_after, r.fraud, flagged);
    label->transaction_id =
        codec::paysim_id(std::string_view(out->data() + start, out->size() - start - 1));
    label->is_fraud = r.fraud;
    label->pattern = r.pattern;
    *baseline = flagged ? 1 : 0;
    ++emitted_;
    return true;
  }

 private:
  int64_t lognormal(double median, double sigma) {
    // Box-Muller: one normal draw.
    const double u1 = std::max(rng_.uniform(), 1e-12), u2 = rng_.uniform();
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return std::max<int64_t>(100, static_cast<int64_t>(median * std::exp(sigma * z)));
  }
  std::string customer(size_t i) { return customer_account(i); }
  std::string merchant() { return merchant_account(rng_.below(o_.merchants)); }
  std::string mule() { return "C" + std::to_string(2'000'000'000 + mules_++); }
  size_t account() { return static_cast<size_t>(rng_.below(static_cast<uint64_t>(o_.accounts))); }

  // A legitimate row of PaySim's type mix; never drains an account.
  Row ordinary() {
    const double p = rng_.uniform();
    const size_t a = account();
    int64_t& bal = balances_[a];
    Row r;
    r.orig = customer(a);
    r.orig_before = bal;
    // CASH_IN (also what an emptied account does: about 3% more of all rows).
    if (p < 0.192 || bal < 10'00) {
      r.type = TxType::kCashIn;
      r.amount = lognormal(140'000'00, 0.9);
      bal += r.amount;
      r.dest = customer(account());
      r.dest_before = lognormal(200'000'00, 1.0);
      r.dest_after = std::max<int64_t>(0, r.dest_before - r.amount);
    } else if (p < 0.56) {  // PAYMENT to a merchant: merchants' balances are not kept
      r.type = TxType::kPayment;
      r.amount = std::min(lognormal(9'000'00, 1.0), bal * 9 / 10);
      bal -= r.amount;
      r.dest = merchant();
      r.dest_before = r.dest_after = 0;
    } else if (p < 0.9135) {  // CASH_OUT through an agent
      r.type = TxType::kCashOut;
      r.amount = std::min(lognormal(150'000'00, 0.9), bal * 9 / 10);
      bal -= r.amount;
      r.dest = customer(account());
      r.dest_before = lognormal(100'000'00, 1.0);
      r.dest_after = r.dest_before + r.amount;
    } else if (p < 0.9935) {  // TRANSFER to another customer, whose balance moves
      r.type = TxType::kTransfer;
      r.amount = std::min(lognormal(60'000'00, 1.0), bal * 9 / 10);
      bal -= r.amount;
      const size_t d = account();
      r.dest = customer(d);
      r.dest_before = balances_[d];
      balances_[d] += r.amount;
      r.dest_after = balances_[d];
    } else {  // DEBIT
      r.type = TxType::kDebit;
      r.amount = std::min(lognormal(5'000'00, 0.8), bal * 9 / 10);
      bal -= r.amount;
      r.dest = customer(account());
      r.dest_before = lognormal(100'000'00, 1.0);
      r.dest_after = r.dest_before + r.amount;
    }
    r.orig_after = bal;
    return r;
  }

  Row transfer_to_mule(size_t victim, int64_t amount, const std::string& mule, int64_t mule_before,
                       std::string pattern) {
    int64_t& bal = balances_[victim];
    Row r;
    r.type = TxType::kTransfer;
    r.amount = amount;
    r.orig = customer(victim);
    r.orig_before = bal;
    bal -= amount;
    r.orig_after = bal;
    r.dest = mule;
    // PaySim's fraud transfers leave the destination's recorded balance where it was.
    r.dest_before = r.dest_after = mule_before;
    r.fraud = true;
    r.pattern = std::move(pattern);
    return r;
  }

  Row cash_out(const std::string& mule, int64_t amount, int64_t before, std::string pattern,
               bool fraud) {
    Row r;
    r.type = TxType::kCashOut;
    r.amount = amount;
    r.orig = mule;
    r.orig_before = before;
    r.orig_after = before - amount;
    r.dest = customer(account());
    r.dest_before = lognormal(100'000'00, 1.0);
    r.dest_after = r.dest_before + amount;
    r.fraud = fraud;
    r.pattern = std::move(pattern);
    return r;
  }

  // The next rows: mostly one ordinary row; now and then a fraud incident (all its rows
  // in this step, in order).
  void refill() {
    // Incidents average about 2.1 labelled rows: start them at the rate that gives
    // `fraud_rate` labelled rows.
    if (!rng_.chance(o_.fraud_rate / 2.1)) {
      pending_.push_back(ordinary());
      return;
    }
    const double kind = rng_.uniform();
    size_t victim = account();
    if (balances_[victim] < 1'000'00) balances_[victim] += lognormal(50'000'00, 0.8);
    if (kind < 0.5) {
      // The classic: the victim's whole balance to a mule (P001, and P002's artefact),
      // which cashes exactly that out (P003).
      const int64_t amount = std::min(balances_[victim], kLargeTransfer - 1);
      balances_[victim] = amount;  // drained to exactly zero below
      const std::string m = mule();
      pending_.push_back(transfer_to_mule(victim, amount, m, 0, "P001"));
      pending_.push_back(cash_out(m, amount, amount, "P003", true));
    } else if (kind < 0.7) {
      // Part of the balance to a mule whose balance does not move (P002), cashed out.
      const int64_t amount = std::max<int64_t>(1'00, balances_[victim] / 2);
      const std::string m = mule();
      pending_.push_back(transfer_to_mule(victim, amount, m, 0, "P002"));
      pending_.push_back(cash_out(m, amount, amount + lognormal(1'000'00, 0.5), "P003", true));
    } else if (kind < 0.85) {
      // A burst of cash-outs from one account: the 11th and later within the hour are
      // what velocity (P004) sees.
      const size_t a = account();
      balances_[a] += 5'000'000'00;
      const int n = 12 + static_cast<int>(rng_.below(4));
      for (int i = 0; i < n; ++i) {
        const int64_t amount = lognormal(20'000'00, 0.5);
        Row r = cash_out(customer(a), amount, balances_[a], i >= 10 ? "P004" : "", i >= 10);
        balances_[a] -= amount;
        pending_.push_back(std::move(r));
      }
    } else {
      // A large transfer out (P005) to a mule that already holds money, so neither the
      // drain nor the unmoved balance gives it away.
      balances_[victim] += 3 * kLargeTransfer;
      const int64_t amount =
          std::min(kLargeTransfer + lognormal(50'000'00, 0.8), balances_[victim] * 9 / 10);
      Row r = transfer_to_mule(victim, amount, mule(), 0, "P005");
      r.dest_before = lognormal(10'000'00, 0.5);
      r.dest_after = r.dest_before + amount;
      pending_.push_back(std::move(r));
    }
  }

  PaysimOptions o_;
  Rng rng_;
  std::vector<int64_t> balances_;
  std::deque<Row> pending_;
  int64_t emitted_ = 0;
  int64_t mules_ = 0;
};

PaysimGenerator::PaysimGenerator(const PaysimOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
PaysimGenerator::~PaysimGenerator() = default;

bool PaysimGenerator::next(std::string* out, Label* label, int* baseline) {
  return impl_->next(out, label, baseline);
}

}  // namespace wf::gen
