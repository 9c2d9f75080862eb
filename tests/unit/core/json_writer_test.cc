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
