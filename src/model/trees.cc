#include "model/trees.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <string>

namespace wf::model {
namespace {

Error bad(const std::string& why) { return make_error(Errc::kConfig, "XGBoost model: " + why); }

// A finite number XGBoost may write as a JSON number or as text ("5E-1"); NaN, infinities
// and anything else are refused (a model file is user input).
bool number_of(simdjson::dom::element e, double* out) {
  if (e.get_double().get(*out) != simdjson::SUCCESS) {
    std::string_view text;
    if (e.get_string().get(text) != simdjson::SUCCESS) return false;
    std::string copy(text);
    char* end = nullptr;
    *out = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size()) return false;
  }
  return std::isfinite(*out) && std::abs(*out) < 1e30;  // also fits a float
}

template <typename T>
bool numbers(simdjson::dom::element tree, const char* key, std::vector<T>* out) {
  simdjson::dom::array a;
  if (tree[key].get_array().get(a) != simdjson::SUCCESS) return false;
  out->clear();
  for (simdjson::dom::element v : a) {
    double d;
    if (!number_of(v, &d)) return false;
    out->push_back(static_cast<T>(d));
  }
  return true;
}

}  // namespace

Result<TreeEnsemble> TreeEnsemble::from_xgboost_json(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return bad("not valid JSON");
  simdjson::dom::element learner;
  if (doc["learner"].get(learner) != simdjson::SUCCESS) learner = doc;
  std::string_view objective;
  if (learner["objective"]["name"].get(objective) != simdjson::SUCCESS ||
      objective != "binary:logistic") {
    return bad("the objective must be binary:logistic");
  }
  TreeEnsemble out;
  double base_score = 0.5, features = 0;
  simdjson::dom::element param, value;
  if (learner["learner_model_param"].get(param) != simdjson::SUCCESS) {
    return bad("learner_model_param is missing");
  }
  if (param["base_score"].get(value) != simdjson::SUCCESS || !number_of(value, &base_score) ||
      !(base_score > 0 && base_score < 1)) {
    return bad("learner_model_param.base_score must be a probability");
  }
  if (param["num_feature"].get(value) != simdjson::SUCCESS || !number_of(value, &features) ||
      features < 1 || features > 100'000) {
    return bad("learner_model_param.num_feature is missing");
  }
  out.features_ = static_cast<size_t>(features);
  out.base_margin_ = std::log(base_score / (1 - base_score));
  simdjson::dom::array trees;
  if (learner["gradient_booster"]["model"]["trees"].get_array().get(trees) != simdjson::SUCCESS) {
    return bad("gradient_booster.model.trees is missing (only gbtree models are read)");
  }
  std::vector<double> left, right, split_index, default_left;
  std::vector<double> condition, hessian;
  std::vector<uint8_t> parents;
  for (simdjson::dom::element tree : trees) {
    if (out.nodes_.size() > 50'000'000) return bad("more than 50,000,000 nodes");
    if (!numbers(tree, "left_children", &left) || !numbers(tree, "right_children", &right) ||
        !numbers(tree, "split_indices", &split_index) ||
        !numbers(tree, "split_conditions", &condition) ||
        !numbers(tree, "default_left", &default_left) || !numbers(tree, "sum_hessian", &hessian)) {
      return bad("a tree lacks its node arrays");
    }
    const size_t n = left.size();
    if (n == 0 || right.size() != n || split_index.size() != n || condition.size() != n ||
        default_left.size() != n || hessian.size() != n) {
      return bad("a tree's node arrays differ in length");
    }
    const uint32_t base = static_cast<uint32_t>(out.nodes_.size());
    // Every node but the root has exactly one parent, which comes before it: a tree, so
    // each walk ends at a leaf and depths are well defined.
    parents.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (left[i] < 0) continue;
      const double dn = static_cast<double>(n), di = static_cast<double>(i);
      if (left[i] != std::floor(left[i]) || right[i] != std::floor(right[i]) || left[i] <= di ||
          left[i] >= dn || right[i] <= di || right[i] >= dn || left[i] == right[i] ||
          split_index[i] < 0 || split_index[i] >= static_cast<double>(out.features_) ||
          split_index[i] != std::floor(split_index[i])) {
        return bad("a tree's node links are out of range");
      }
      if (++parents[static_cast<size_t>(left[i])] > 1 ||
          ++parents[static_cast<size_t>(right[i])] > 1) {
        return bad("a tree's node has two parents");
      }
    }
    for (size_t i = 1; i < n; ++i) {
      if (parents[i] != 1) return bad("a tree's node is unreachable");
    }
    for (size_t i = 0; i < n; ++i) {
      Node node;
      const bool is_leaf = left[i] < 0;
      if (!is_leaf) {
        node.feature = static_cast<int32_t>(split_index[i]);
        node.left = base + static_cast<uint32_t>(left[i]);
        node.right = base + static_cast<uint32_t>(right[i]);
        node.default_left = default_left[i] != 0;
      }
      node.threshold = static_cast<float>(condition[i]);
      node.value = is_leaf ? static_cast<float>(condition[i]) : 0;
      out.nodes_.push_back(node);
    }
    // Inner nodes' means, children first (children always have larger indexes).
    for (size_t i = n; i-- > 0;) {
      Node& node = out.nodes_[base + i];
      if (node.feature < 0) continue;
      const double hl = hessian[static_cast<size_t>(node.left - base)];
      const double hr = hessian[static_cast<size_t>(node.right - base)];
      const double vl = out.nodes_[node.left].value, vr = out.nodes_[node.right].value;
      node.value = hl + hr > 0 ? static_cast<float>((vl * hl + vr * hr) / (hl + hr))
                               : static_cast<float>((vl + vr) / 2);
    }
    out.roots_.push_back(base);
  }
  // The scoring copy, and the depth every walk takes.
  out.steps_.resize(out.nodes_.size());
  out.leaf_value_.assign(out.nodes_.size(), 0);
  std::vector<int> depth(out.nodes_.size(), 0);
  for (size_t i = 0; i < out.nodes_.size(); ++i) {
    const Node& n = out.nodes_[i];
    Step& s = out.steps_[i];
    if (n.feature < 0) {
      s = Step{std::numeric_limits<float>::infinity(), 0, 0, static_cast<uint32_t>(i),
               static_cast<uint32_t>(i)};
      out.leaf_value_[i] = n.value;
      out.depth_ = std::max(out.depth_, depth[i]);
    } else {
      s = Step{n.threshold, static_cast<uint16_t>(n.feature),
               static_cast<uint16_t>(n.default_left ? 0 : 1), n.left, n.right};
      depth[n.left] = depth[n.right] = depth[i] + 1;  // children come after their parent
    }
  }
  return out;
}

uint32_t TreeEnsemble::leaf(uint32_t i, std::span<const double> x) const {
  const Node* nodes = nodes_.data();
  while (nodes[i].feature >= 0) {
    const Node& n = nodes[i];
    const double v = x[static_cast<size_t>(n.feature)];
    i = std::isnan(v) ? (n.default_left ? n.left : n.right)
                      : (static_cast<float>(v) < n.threshold ? n.left : n.right);
  }
  return i;
}

double TreeEnsemble::margin(std::span<const double> x) const {
  if (x.size() < features_) return std::numeric_limits<double>::quiet_NaN();
  // Features as XGBoost compares them (float), NaN marking missing ones.
  constexpr size_t kMaxFeatures = 256;
  float xf[kMaxFeatures];
  if (features_ > kMaxFeatures) {
    double sum = base_margin_;
    for (uint32_t root : roots_) sum += nodes_[leaf(root, x)].value;
    return sum;
  }
  for (size_t i = 0; i < features_; ++i) xf[i] = static_cast<float>(x[i]);
  const Step* steps = steps_.data();
  double sum = base_margin_;
  constexpr size_t kLanes = 8;
  const size_t trees = roots_.size();
  size_t t = 0;
  for (; t + kLanes <= trees; t += kLanes) {
    uint32_t at[kLanes];
    for (size_t k = 0; k < kLanes; ++k) at[k] = roots_[t + k];
    for (int d = 0; d < depth_; ++d) {
      for (size_t k = 0; k < kLanes; ++k) {
        const Step& s = steps[at[k]];
        const float v = xf[s.feature];
        // Right when v >= threshold; a missing v (NaN: every comparison false) goes its
        // default way. Arithmetic, not a branch: the branch would be a coin toss.
        const uint32_t right = static_cast<uint32_t>(v >= s.threshold) |
                               (static_cast<uint32_t>(v != v) & s.missing_right);
        at[k] = s.left + right * (s.right - s.left);
      }
    }
    for (size_t k = 0; k < kLanes; ++k) sum += leaf_value_[at[k]];
  }
  for (; t < trees; ++t) sum += nodes_[leaf(roots_[t], x)].value;
  return sum;
}

void TreeEnsemble::contributions(std::span<const double> x, std::span<double> out,
                                 double* bias) const {
  for (double& c : out) c = 0;
  *bias = std::numeric_limits<double>::quiet_NaN();
  if (x.size() < features_ || out.size() < features_) return;
  double b = base_margin_;
  for (uint32_t i : roots_) {
    b += nodes_[i].value;
    while (nodes_[i].feature >= 0) {
      const Node& n = nodes_[i];
      const double v = x[static_cast<size_t>(n.feature)];
      const uint32_t next = std::isnan(v)
                                ? (n.default_left ? n.left : n.right)
                                : (static_cast<float>(v) < n.threshold ? n.left : n.right);
      out[static_cast<size_t>(n.feature)] += nodes_[next].value - n.value;
      i = next;
    }
  }
  *bias = b;
}

}  // namespace wf::model
