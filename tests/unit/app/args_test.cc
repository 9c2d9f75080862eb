#include "app/args.h"

#include <gtest/gtest.h>

#include <vector>

namespace wf::app {
namespace {

// argv for Args::parse, with argv[0] = "walletflow" and argv[1] = the command.
Status parse(Args& args, std::vector<std::string> words) {
  static std::vector<std::string> storage;
  static std::vector<char*> argv;
  storage = std::move(words);
  storage.insert(storage.begin(), {"walletflow", "cmd"});
  argv.clear();
  for (auto& w : storage) argv.push_back(w.data());
  return args.parse(static_cast<int>(argv.size()), argv.data(), 2);
}

Args make() {
  Args a("usage: walletflow cmd\n");
  a.option("store").option("count").option("rate").option("json", true);
  return a;
}

TEST(Args, ParsesValuesFlagsAndEqualsForm) {
  Args a = make();
  ASSERT_TRUE(parse(a, {"--store", "sqlite:x.db", "--count=5", "--json"}).ok());
  EXPECT_EQ(*a.get("store"), "sqlite:x.db");
  EXPECT_EQ(*a.get_int("count", 0, 0, 10), 5);
  EXPECT_TRUE(a.has("json"));
  EXPECT_FALSE(a.has("rate"));
  EXPECT_EQ(*a.get_double("rate", 2.5, 0, 10), 2.5);
}

TEST(Args, UsageErrorsNameTheOption) {
  struct Case {
    std::vector<std::string> words;
    const char* mentions;
  };
  const Case cases[] = {
      {{"--bogus"}, "--bogus"},
      {{"--store"}, "needs a value"},
      {{"--json=yes"}, "takes no value"},
      {{"positional"}, "positional"},
  };
  for (const Case& c : cases) {
    Args a = make();
    Status s = parse(a, c.words);
    ASSERT_FALSE(s.ok()) << c.mentions;
    EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
    EXPECT_NE(s.error().message.find(c.mentions), std::string::npos) << s.error().message;
  }
}

TEST(Args, TypedGettersCheckRangeAndSyntax) {
  Args a = make();
  ASSERT_TRUE(parse(a, {"--count", "11", "--rate", "abc"}).ok());
  auto count = a.get_int("count", 0, 0, 10);
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.error().message.find("--count"), std::string::npos);
  EXPECT_FALSE(a.get_double("rate", 0, 0, 10).ok());
  Args b = make();
  ASSERT_TRUE(parse(b, {"--count", "5x"}).ok());
  EXPECT_FALSE(b.get_int("count", 0, 0, 10).ok());
}

TEST(Args, HelpIsAlwaysKnown) {
  Args a = make();
  ASSERT_TRUE(parse(a, {"-h"}).ok());
  EXPECT_TRUE(a.help());
}

}  // namespace
}  // namespace wf::app
