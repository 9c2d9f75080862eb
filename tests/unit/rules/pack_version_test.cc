#include <gtest/gtest.h>

#include <string>

#include "rules/pack.h"

namespace wf::rules {
namespace {

TEST(RulePackVersion, IsAContentHashOfThePackText) {
  std::string text(RulePack::builtin_text("ph-ewallet"));
  auto a = RulePack::parse(text, "a");
  auto b = RulePack::parse(text, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->version().size(), 16u);
  EXPECT_EQ(a->version(), b->version());  // same text, same version, whatever the origin
  EXPECT_EQ(RulePack::builtin("ph-ewallet")->version(), a->version());
  std::string tuned = text;
  tuned.replace(tuned.find("score = 85"), 10, "score = 80");
  auto c = RulePack::parse(tuned, "c");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NE(c->version(), a->version());
}

}  // namespace
}  // namespace wf::rules
