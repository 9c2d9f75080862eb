// Command-line options of one subcommand: declared up front, so unknown or malformed
// options are usage errors (exit code 2) with a message naming the option.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wf::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class Args {
 public:
  // `usage` is the text printed by --help (the first line names the command).
  explicit Args(std::string usage) : usage_(std::move(usage)) {}

  // Declares --name VALUE (flag=false) or --name (flag=true).
  Args& option(std::string name, bool flag = false);
  // Parses argv[first..argc); kInvalidArgument for unknown options or a missing value.
  Status parse(int argc, char** argv, int first);

  bool help() const { return has("help"); }
  const std::string& usage() const { return usage_; }
  bool has(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string fallback) const;
  // Typed getters; kInvalidArgument when the text is not a number in [min, max].
  Result<int64_t> get_int(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;
  Result<double> get_double(std::string_view name, double fallback, double min, double max) const;

 private:
  std::string usage_;
  std::map<std::string, bool, std::less<>> declared_;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace wf::app
