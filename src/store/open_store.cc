#include <atomic>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace wf::store {

namespace {
std::atomic<int64_t> g_transient_retries{0};
}  // namespace

int64_t transient_retries() { return g_transient_retries.load(std::memory_order_relaxed); }
void count_transient_retry() { g_transient_retries.fetch_add(1, std::memory_order_relaxed); }

Result<std::unique_ptr<Store>> open_store(std::string_view uri) {
  std::string path;
  if (uri.substr(0, 13) == "postgresql://" || uri.substr(0, 11) == "postgres://") {
    auto store = postgres::PgStore::open(std::string(uri));
    if (!store.ok()) return store.take_error();
    WF_RETURN_IF_ERROR((*store)->migrate());
    return std::unique_ptr<Store>(std::move(store).value());
  }
  if (uri.substr(0, 7) == "sqlite:") {
    path = std::string(uri.substr(7));
    if (path.substr(0, 2) == "//") path = path.substr(2);
  } else if (uri.size() > 3 && uri.substr(uri.size() - 3) == ".db" &&
             uri.find("://") == std::string_view::npos) {
    path = std::string(uri);
  } else {
    return make_error(Errc::kInvalidArgument, "unsupported store '" + std::string(uri) +
                                                  "' (expected sqlite:PATH or postgresql://...)");
  }
  if (path.empty()) return make_error(Errc::kInvalidArgument, "store path is empty");
  auto store = sqlite::SqliteStore::open(path);
  if (!store.ok()) return store.take_error();
  WF_RETURN_IF_ERROR((*store)->migrate());
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace wf::store
