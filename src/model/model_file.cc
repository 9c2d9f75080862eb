#include "model/model_file.h"

#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"

namespace wf::model {
namespace {

Error bad(const std::string& path, const std::string& why) {
  return make_error(Errc::kConfig, "model '" + path + "': " + why);
}

}  // namespace

Status save_model(const std::string& path, const Manifest& m, const std::string& features_text,
                  const std::string& booster_json) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("walletflow_model").number(int64_t{1});
  w.key("manifest").begin_object();
  w.key("name").string(m.name);
  w.key("features").begin_array();
  for (const std::string& f : m.features) w.string(f);
  w.end_array();
  w.key("features_version").string(m.features_version);
  w.key("pack").string(m.pack);
  w.key("data_from").string(format_utc(m.data_from));
  w.key("split_at").string(format_utc(m.split_at));
  w.key("data_to").string(format_utc(m.data_to));
  w.key("train_rows").number(m.train_rows);
  w.key("train_frauds").number(m.train_frauds);
  w.key("valid_rows").number(m.valid_rows);
  w.key("valid_frauds").number(m.valid_frauds);
  w.key("rounds").number(int64_t{m.rounds});
  w.key("scale_pos_weight").number(m.scale_pos_weight, 4);
  w.key("valid_auprc").number(m.valid_auprc, 6);
  w.key("threshold").number(m.threshold, 6);
  w.key("confirm_threshold").number(m.confirm_threshold, 6);
  w.key("valid_precision").number(m.valid_precision, 6);
  w.key("valid_recall").number(m.valid_recall, 6);
  w.key("valid_f1").number(m.valid_f1, 6);
  w.key("rules_precision").number(m.rules_precision, 6);
  w.key("rules_recall").number(m.rules_recall, 6);
  w.key("rules_f1").number(m.rules_f1, 6);
  w.key("combined_precision").number(m.combined_precision, 6);
  w.key("combined_recall").number(m.combined_recall, 6);
  w.key("combined_f1").number(m.combined_f1, 6);
  w.key("trained_at").string(m.trained_at);
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kIo, "cannot read model '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
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
  str("name", &x.name);
  str("features_version", &x.features_version);
  str("pack", &x.pack);
  str("trained_at", &x.trained_at);
  time("data_from", &x.data_from);
  time("split_at", &x.split_at);
  time("data_to", &x.data_to);
  integer("train_rows", &x.train_rows);
  integer("train_frauds", &x.train_frauds);
  integer("valid_rows", &x.valid_rows);
  integer("valid_frauds", &x.valid_frauds);
  int64_t rounds = 0;
  integer("rounds", &rounds);
  x.rounds = static_cast<int>(rounds);
  num("scale_pos_weight", &x.scale_pos_weight);
  num("valid_auprc", &x.valid_auprc);
  num("threshold", &x.threshold);
  num("confirm_threshold", &x.confirm_threshold);
  num("valid_precision", &x.valid_precision);
  num("valid_recall", &x.valid_recall);
  num("valid_f1", &x.valid_f1);
  num("rules_precision", &x.rules_precision);
  num("rules_recall", &x.rules_recall);
  num("rules_f1", &x.rules_f1);
  num("combined_precision", &x.combined_precision);
  num("combined_recall", &x.combined_recall);
  num("combined_f1", &x.combined_f1);
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
