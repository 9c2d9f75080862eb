#include "core/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace wf {

void JsonWriter::separator() {
  if (need_comma_) out_->push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separator();
  out_->push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_->push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separator();
  out_->push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_->push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separator();
  append_escaped(out_, name);
  out_->push_back(':');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  separator();
  append_escaped(out_, value);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t value) {
  separator();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_->append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::number(double value, int decimals) {
  separator();
  if (!std::isfinite(value)) {
    out_->append("null");
    return *this;
  }
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  out_->append(buf, static_cast<size_t>(n));
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separator();
  out_->append(json);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  separator();
  out_->append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::null() {
  separator();
  out_->append("null");
  return *this;
}

void JsonWriter::append_escaped(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(value.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(value.data() + start, value.size() - start);
  out->push_back('"');
}

JsonWriter& JsonWriter::comma_list(std::string_view csv) {
  begin_array();
  while (!csv.empty()) {
    size_t comma = csv.find(',');
    string(csv.substr(0, comma));
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return end_array();
}

}  // namespace wf
