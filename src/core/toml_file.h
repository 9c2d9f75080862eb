// TOML config files whose every error names its place, "origin:line:column: message".
// Header only: core itself does not link toml++; the modules that read TOML (rules,
// quality, jobs) do.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace wf {

inline Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return make_error(Errc::kConfig, origin + ":" + std::to_string(at.line) + ":" +
                                         std::to_string(at.column) +
                                         ": TOML syntax: " + std::string(e.description()));
  } catch (const std::exception& e) {
    return make_error(Errc::kConfig, origin + ": cannot read TOML: " + e.what());
  }
}

// The problems found in one file, one per line, each at its node.
class TomlProblems {
 public:
  explicit TomlProblems(std::string origin) : origin_(std::move(origin)) {}

  void add(const toml::node* at, const std::string& message) {
    const auto& where = at->source().begin;
    text_.append(text_.empty() ? "" : "\n")
        .append(origin_ + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                ": " + message);
  }
  bool empty() const { return text_.empty(); }
  size_t size() const { return text_.size(); }  // grows with every problem
  Error error() const { return make_error(Errc::kConfig, text_); }

 private:
  std::string origin_;
  std::string text_;
};

}  // namespace wf
