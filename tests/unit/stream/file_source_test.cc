#include "stream/file/file_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/temp_dir.h"

namespace wf::stream::file {
namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::pair<std::string, int64_t>> read_all(Source& s, size_t max, bool* truncated) {
  std::vector<std::pair<std::string, int64_t>> out;
  RecordBatch b;
  for (int guard = 0; guard < 1000; ++guard) {
    EXPECT_TRUE(s.next(&b, max).ok());
    for (const Record& r : b.records) {
      out.emplace_back(std::string(r.bytes), r.offset);
      if (r.truncated && truncated) *truncated = true;
    }
    if (b.end_of_input) break;
  }
  return out;
}

TEST(FileSource, YieldsLinesWithOffsetsAndResumes) {
  testing::TempDir dir;
  write(dir.file("a.jsonl"), "one\ntwo\r\n\nthree\nlast-no-newline");
  auto src = FileSource::open(dir.file("a.jsonl"));
  ASSERT_TRUE(src.ok());
  EXPECT_EQ((*src)->name().substr(0, 5), "file:");
  auto all = read_all(**src, 2, nullptr);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], (std::pair<std::string, int64_t>{"one", 0}));
  EXPECT_EQ(all[1], (std::pair<std::string, int64_t>{"two", 4}));
  EXPECT_EQ(all[2], (std::pair<std::string, int64_t>{"three", 10}));
  EXPECT_EQ(all[3].first, "last-no-newline");

  ASSERT_TRUE((*src)->seek(10).ok());
  auto rest = read_all(**src, 100, nullptr);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].first, "three");
}

TEST(FileSource, BatchEndPositionIsWhereTheNextRecordStarts) {
  testing::TempDir dir;
  write(dir.file("a"), "aa\nbb\ncc\n");
  auto src = FileSource::open(dir.file("a"));
  RecordBatch b;
  ASSERT_TRUE((*src)->next(&b, 2).ok());
  EXPECT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.end_position, 6);
}

TEST(FileSource, SmallBufferStillSplitsEveryLineAndTruncatesGiants) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 100; ++i) text += "line-" + std::to_string(i) + "\n";
  text += std::string(300, 'x') + "\nafter\n";
  write(dir.file("a"), text);
  auto src = FileSource::open(dir.file("a"), 64);
  bool truncated = false;
  auto all = read_all(**src, 7, &truncated);
  ASSERT_EQ(all.size(), 102u);
  EXPECT_EQ(all[99].first, "line-99");
  EXPECT_TRUE(truncated);
  EXPECT_EQ(all[100].first.size(), 64u);
  EXPECT_EQ(all[101].first, "after");
  EXPECT_EQ(all[101].second, static_cast<int64_t>(text.size() - 6));
}

TEST(FileSource, AGiantLineEndsItsBatchAtTheNextLineBoundary) {
  testing::TempDir dir;
  std::string giant(300, 'x');
  write(dir.file("a"), "a\n" + giant + "\nb\n" + giant);  // the last giant has no newline
  auto src = FileSource::open(dir.file("a"), 64);
  RecordBatch batch;
  std::vector<Record> seen;
  std::vector<int64_t> ends;
  for (int guard = 0; guard < 100; ++guard) {
    ASSERT_TRUE((*src)->next(&batch, 10).ok());
    for (const Record& r : batch.records) seen.push_back(r);
    ends.push_back(batch.end_position);
    if (batch.end_of_input) break;
  }
  ASSERT_EQ(seen.size(), 4u);  // a, giant, b, giant: each giant reported once
  EXPECT_TRUE(seen[1].truncated);
  EXPECT_EQ(seen[1].offset, 2);
  EXPECT_TRUE(seen[3].truncated);
  EXPECT_EQ(seen[3].offset, 2 + 301 + 2);
  // Every batch ends at a line start (or the end of the file): a resume never lands mid-line.
  const int64_t boundaries[] = {0, 2, 303, 305, 605};
  for (int64_t e : ends) {
    EXPECT_NE(std::find(std::begin(boundaries), std::end(boundaries), e), std::end(boundaries))
        << e;
  }
}

TEST(FileSource, MissingFileIsAnIoError) {
  auto src = FileSource::open("/nonexistent/x.jsonl");
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.error().code, Errc::kIo);
}

}  // namespace
}  // namespace wf::stream::file
