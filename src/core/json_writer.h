// Appends compact JSON to a caller-owned string, inserting commas itself. Reusing the
// string across records keeps writers allocation-free once it has grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wf {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(int64_t value);
  JsonWriter& number(double value, int decimals);
  // Writes pre-formatted JSON text (a number literal such as "1500.25") as is.
  JsonWriter& raw(std::string_view json);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // "R001,R004" as ["R001","R004"] ("" as []).
  JsonWriter& comma_list(std::string_view csv);

  static void append_escaped(std::string* out, std::string_view value);

 private:
  void separator();
  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace wf
