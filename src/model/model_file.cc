#include "model/model_file.h"

#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/file.h"
#include "core/json_writer.h"

namespace wf::model {
namespace {

Error bad(const std::string& path, const std::string& why) {
  return make_error(Errc::kConfig, "model '" + path + "': " + why);
}

// The manifest's fields, written and read from one list each (features and rounds, of
// their own types, beside them).
struct TextField {
  const char* key;
  std::string Manifest::*field;
};
constexpr TextField kTexts[] = {{"name", &Manifest::name},
                                {"features_version", &Manifest::features_version},
                                {"pack", &Manifest::pack},
                                {"trained_at", &Manifest::trained_at}};
struct TimeField {
  const char* key;
  Instant Manifest::*field;
};
constexpr TimeField kTimes[] = {{"data_from", &Manifest::data_from},
                                {"split_at", &Manifest::split_at},
                                {"data_to", &Manifest::data_to}};
struct CountField {
  const char* key;
  int64_t Manifest::*field;
};
constexpr CountField kCounts[] = {{"train_rows", &Manifest::train_rows},
                                  {"train_frauds", &Manifest::train_frauds},
                                  {"valid_rows", &Manifest::valid_rows},
                                  {"valid_frauds", &Manifest::valid_frauds}};
struct RealField {
  const char* key;
  double Manifest::*field;
  int digits;
};
constexpr RealField kReals[] = {{"scale_pos_weight", &Manifest::scale_pos_weight, 4},
                                {"valid_auprc", &Manifest::valid_auprc, 6},
                                {"threshold", &Manifest::threshold, 6},
                                {"confirm_threshold", &Manifest::confirm_threshold, 6},
                                {"valid_precision", &Manifest::valid_precision, 6},
                                {"valid_recall", &Manifest::valid_recall, 6},
                                {"valid_f1", &Manifest::valid_f1, 6},
                                {"rules_precision", &Manifest::rules_precision, 6},
                                {"rules_recall", &Manifest::rules_recall, 6},
                                {"rules_f1", &Manifest::rules_f1, 6},
                                {"combined_precision", &Manifest::combined_precision, 6},
                                {"combined_recall", &Manifest::combined_recall, 6},
                                {"combined_f1", &Manifest::combined_f1, 6}};

}  // namespace

Status save_model(const std::string& path, const Manifest& m, const std::string& features_text,
                  const std::string& booster_json) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("walletflow_model").number(int64_t{1});
  w.key("manifest").begin_object();
  for (const TextField& f : kTexts) w.key(f.key).string(m.*f.field);
  w.key("features").begin_array();
  for (const std::string& f : m.features) w.string(f);
  w.end_array();
  for (const TimeField& f : kTimes) w.key(f.key).string(format_utc(m.*f.field));
  for (const CountField& f : kCounts) w.key(f.key).number(m.*f.field);
  w.key("rounds").number(int64_t{m.rounds});
  for (const RealField& f : kReals) w.key(f.key).number(m.*f.field, f.digits);
  w.end_object();
  w.key("features").string(features_text);
  w.key("booster").raw(booster_json);
  w.end_object();
  out.push_back('\n');
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f || !f.write(out.data(), static_cast<std::streamsize>(out.size())) || !f.flush()) {
      return make_error(Errc::kIo, "cannot write '" + tmp + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(Errc::kIo, "cannot rename '" + tmp + "': " + ec.message());
  return Status::Ok();
}

Result<Model> load_model(const std::string& path) {
  auto read = read_file(path, "model");
  if (!read.ok()) return read.take_error();
  const std::string& text = *read;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return bad(path, "not valid JSON");
  int64_t format = 0;
  if (doc["walletflow_model"].get_int64().get(format) != simdjson::SUCCESS || format != 1) {
    return bad(path,
               "not a walletflow model (want \"walletflow_model\": 1; written by "
               "'walletflow train')");
  }
  Model m;
  simdjson::dom::element man;
  if (doc["manifest"].get(man) != simdjson::SUCCESS) return bad(path, "no manifest");
  std::string_view sv;
  auto str = [&](const char* key, std::string* out) {
    if (man[key].get_string().get(sv) == simdjson::SUCCESS) out->assign(sv);
  };
  auto num = [&](const char* key, double* out) {
    double d;
    if (man[key].get_double().get(d) == simdjson::SUCCESS) *out = d;
  };
  auto integer = [&](const char* key, int64_t* out) {
    int64_t i;
    if (man[key].get_int64().get(i) == simdjson::SUCCESS) *out = i;
  };
  auto time = [&](const char* key, Instant* out) {
    if (man[key].get_string().get(sv) != simdjson::SUCCESS) return;
    auto t = parse_rfc3339(sv);
    if (t.ok()) *out = *t;
  };
  Manifest& x = m.manifest;
  for (const TextField& f : kTexts) str(f.key, &(x.*f.field));
  for (const TimeField& f : kTimes) time(f.key, &(x.*f.field));
  for (const CountField& f : kCounts) integer(f.key, &(x.*f.field));
  int64_t rounds = 0;
  integer("rounds", &rounds);
  x.rounds = static_cast<int>(rounds);
  for (const RealField& f : kReals) num(f.key, &(x.*f.field));
  simdjson::dom::array names;
  if (man["features"].get_array().get(names) != simdjson::SUCCESS) {
    return bad(path, "the manifest lists no features");
  }
  for (simdjson::dom::element n : names) {
    if (n.get_string().get(sv) != simdjson::SUCCESS) return bad(path, "a feature name is not text");
    x.features.emplace_back(sv);
  }
  if (!(x.threshold > 0 && x.threshold < 1)) return bad(path, "threshold must be in (0, 1)");
  if (!(x.confirm_threshold >= 0 && x.confirm_threshold <= x.threshold)) {
    return bad(path, "confirm_threshold must be in [0, threshold]");
  }
  if (doc["features"].get_string().get(sv) != simdjson::SUCCESS) {
    return bad(path, "no features file text");
  }
  m.features_text.assign(sv);
  simdjson::dom::element booster;
  if (doc["booster"].get(booster) != simdjson::SUCCESS) return bad(path, "no booster");
  auto trees = TreeEnsemble::from_xgboost_json(simdjson::minify(booster));
  if (!trees.ok()) return bad(path, trees.error().message);
  m.trees = std::move(*trees);
  if (m.trees.features() != x.features.size()) {
    return bad(path, "the trees read " + std::to_string(m.trees.features()) +
                         " features, the manifest lists " + std::to_string(x.features.size()));
  }
  return m;
}

}  // namespace wf::model
