#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace wf {
namespace {

TEST(JsonWriter, WritesNestedValuesWithCommas) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("a").number(int64_t{1});
  w.key("b").begin_array().string("x").boolean(true).null().end_array();
  w.key("c").number(0.125, 3);
  w.key("d").raw("12.50");
  w.end_object();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,null],"c":0.125,"d":12.50})");
}

TEST(JsonWriter, EscapesControlCharactersAndQuotes) {
  std::string out;
  JsonWriter(&out).string("a\"b\\c\nd\x01");
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

}  // namespace
}  // namespace wf

#include "core/hash.h"

namespace wf {
namespace {

TEST(HashBytes, IsDeterministicAndSpreadsNearbyIds) {
  EXPECT_EQ(hash_bytes("U00000001"), hash_bytes("U00000001"));
  EXPECT_NE(hash_bytes("U00000001"), hash_bytes("U00000002"));
  EXPECT_NE(hash_bytes(""), hash_bytes(std::string_view("\0", 1)));
  // Sequential ids fill the low bits (used as table indexes) evenly.
  int buckets[64] = {};
  for (int i = 0; i < 64'000; ++i) ++buckets[hash_bytes("U" + std::to_string(10'000'000 + i)) & 63];
  for (int b : buckets) {
    EXPECT_GT(b, 800);
    EXPECT_LT(b, 1200);
  }
}

}  // namespace
}  // namespace wf
