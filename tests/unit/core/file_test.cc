#include "core/file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace wf {
namespace {

TEST(ReadFile, EveryByteOrAnErrorNamingTheFile) {
  testing::TempDir dir;
  const std::string path = dir.file("bytes.bin");
  const std::string bytes("line one\r\n\0binary\xff", 19);
  std::ofstream(path, std::ios::binary) << bytes;
  auto read = read_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, bytes);

  std::ofstream(dir.file("empty"), std::ios::binary).flush();
  auto empty = read_file(dir.file("empty"));
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, "");

  auto missing = read_file(dir.file("nope.toml"), "rules file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kIo);
  EXPECT_NE(missing.error().message.find("cannot read rules file '" + dir.file("nope.toml") + "'"),
            std::string::npos)
      << missing.error().message;
  EXPECT_EQ(read_file(dir.file("nope.key"), "key", Errc::kConfig).error().code, Errc::kConfig);
}

}  // namespace
}  // namespace wf
