#include "codec/label_codec.h"

#include <simdjson.h>

#include "core/json_writer.h"

namespace wf::codec {

void append_label_line(std::string* out, std::string_view transaction_id, bool is_fraud,
                       std::string_view pattern, int baseline) {
  JsonWriter w(out);
  w.begin_object();
  w.key("transaction_id").string(transaction_id);
  w.key("is_fraud").boolean(is_fraud);
  w.key("pattern").string(pattern);
  if (baseline >= 0) w.key("baseline").boolean(baseline == 1);
  w.end_object();
  out->push_back('\n');
}

Result<std::vector<LabelRecord>> read_labels_file(const std::string& path) {
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text)) {
    return make_error(Errc::kIo, "cannot read labels file '" + path + "'");
  }
  std::vector<LabelRecord> labels;
  simdjson::ondemand::parser parser;
  std::string_view all(text.data(), text.size());
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    std::string_view line = all.substr(pos, nl - pos);
    ++line_no;
    size_t line_start = pos;
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto bad = [&] {
      return make_error(Errc::kMalformedJson,
                        path + ":" + std::to_string(line_no) + ": not a label object");
    };
    simdjson::ondemand::document doc;
    simdjson::padded_string_view view(text.data() + line_start, line.size(),
                                      text.size() + simdjson::SIMDJSON_PADDING - line_start);
    if (parser.iterate(view).get(doc)) return bad();
    LabelRecord r;
    std::string_view id, pattern;
    bool fraud = false;
    if (doc["transaction_id"].get_string().get(id)) return bad();
    if (doc["is_fraud"].get_bool().get(fraud)) return bad();
    simdjson::ondemand::value pv;
    simdjson::ondemand::json_type type;
    if (!doc["pattern"].get(pv) && !pv.type().get(type) &&
        type == simdjson::ondemand::json_type::string) {
      if (pv.get_string().get(pattern)) return bad();
    }
    r.transaction_id = std::string(id);
    r.is_fraud = fraud;
    r.pattern = std::string(pattern);
    bool baseline = false;
    if (!doc["baseline"].get_bool().get(baseline)) r.baseline = baseline ? 1 : 0;
    labels.push_back(std::move(r));
  }
  return labels;
}

}  // namespace wf::codec
