// Result<T>: the value-or-error type every fallible call returns (no exceptions on the
// data plane). Error codes double as the dead-letter codes of SPEC section 4.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wf {

enum class Errc : uint8_t {
  kOk = 0,
  // Record errors (dead-letter codes, SPEC section 4).
  kMalformedJson,
  kMissingField,
  kBadTimestamp,
  kBadAmount,
  kUnknownCurrency,
  kBadType,
  kOversized,
  kDuplicate,
  // Process errors.
  kInvalidArgument,
  kIo,
  kStore,
  kConfig,
  kNotFound,
  kCrypto,
  kConflict,  // another writer moved what this one expected (a lost Kafka partition)
  kFailed,    // work that ran and did not succeed (a failed check, a job's command)
};

// Stable upper-case name, e.g. "MALFORMED_JSON"; stored in dead_letters.error_code.
std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::kOk;
  std::string message;
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result of a call that returns nothing but can fail.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return Status(); }

  bool ok() const { return error_.code == Errc::kOk; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }
  Error&& take_error() { return std::move(error_); }

 private:
  Error error_;
};

}  // namespace wf

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define WF_RETURN_IF_ERROR(expr)      \
  do {                                \
    auto wf_status_ = (expr);         \
    if (!wf_status_.ok()) {           \
      return wf_status_.take_error(); \
    }                                 \
  } while (false)
