#include "app/args.h"

#include <charconv>
#include <cstdlib>

namespace wf::app {

Args& Args::option(std::string name, bool flag) {
  declared_[std::move(name)] = flag;
  return *this;
}

Status Args::parse(int argc, char** argv, int first) {
  declared_.emplace("help", true);
  declared_.emplace("log-format", false);
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h") arg = "--help";
    if (arg.substr(0, 2) != "--") {
      return make_error(Errc::kInvalidArgument, "unexpected argument '" + std::string(arg) + "'");
    }
    std::string name(arg.substr(2));
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto it = declared_.find(name);
    if (it == declared_.end()) {
      return make_error(Errc::kInvalidArgument, "unknown option '--" + name + "'");
    }
    if (it->second) {
      if (inline_value) {
        return make_error(Errc::kInvalidArgument, "option '--" + name + "' takes no value");
      }
      values_[name] = "true";
    } else if (inline_value) {
      values_[name] = *inline_value;
    } else {
      if (i + 1 >= argc) {
        return make_error(Errc::kInvalidArgument, "option '--" + name + "' needs a value");
      }
      values_[name] = argv[++i];
    }
  }
  return Status::Ok();
}

bool Args::has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::optional<std::string> Args::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::get_or(std::string_view name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

Result<int64_t> Args::get_int(std::string_view name, int64_t fallback, int64_t min,
                              int64_t max) const {
  auto v = get(name);
  if (!v) return fallback;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size() || out < min || out > max) {
    return make_error(Errc::kInvalidArgument,
                      "option '--" + std::string(name) + "' wants an integer in [" +
                          std::to_string(min) + ", " + std::to_string(max) + "], got '" + *v + "'");
  }
  return out;
}

Result<double> Args::get_double(std::string_view name, double fallback, double min,
                                double max) const {
  auto v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  double out = std::strtod(v->c_str(), &end);
  if (v->empty() || end != v->c_str() + v->size() || !(out >= min && out <= max)) {
    return make_error(Errc::kInvalidArgument,
                      "option '--" + std::string(name) + "' wants a number in [" +
                          std::to_string(min) + ", " + std::to_string(max) + "], got '" + *v + "'");
  }
  return out;
}

}  // namespace wf::app
