// The dashboard (web/, a TypeScript app built by Vite during the build) served by the
// binary itself: every built file, embedded at build time (cmake/embed_web.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace wf::api {

struct WebAsset {
  std::string_view path;  // "/index.html", "/assets/index-3f2a.js"
  std::string_view content_type;
  std::string_view data;
};

// Empty when the build had no dashboard to embed.
const std::vector<WebAsset>& web_assets();

}  // namespace wf::api
