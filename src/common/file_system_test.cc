#include "common/file_system.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mlc {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the test temp dir, removed afterwards.
class RealFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("mlc_fs_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  FileSystem& fs_ = RealFileSystem();
  fs::path dir_;
};

TEST_F(RealFileSystemTest, WriteReadReplace) {
  const fs::path p = dir_ / "a.txt";
  ASSERT_TRUE(fs_.WriteFileAtomic(p, "first").ok());
  EXPECT_EQ(*fs_.ReadFile(p), "first");
  ASSERT_TRUE(fs_.WriteFileAtomic(p, std::string("sec\0ond", 7)).ok());
  EXPECT_EQ(*fs_.ReadFile(p), std::string("sec\0ond", 7));
  EXPECT_EQ(*fs_.FileSize(p), 7u);
  ASSERT_TRUE(fs_.WriteFileAtomic(p, "").ok());
  EXPECT_EQ(*fs_.ReadFile(p), "");
  EXPECT_EQ(*fs_.ListDir(dir_), std::vector<std::string>{"a.txt"});  // no temporaries left
}

TEST_F(RealFileSystemTest, LargeFileRoundTrips) {
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(fs_.WriteFileAtomic(dir_ / "big", data).ok());
  EXPECT_EQ(*fs_.ReadFile(dir_ / "big"), data);
}

TEST_F(RealFileSystemTest, MissingThingsAreNotFound) {
  EXPECT_EQ(fs_.ReadFile(dir_ / "nope").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.FileSize(dir_ / "nope").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.ListDir(dir_ / "nope").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.Remove(dir_ / "nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.Rename(dir_ / "nope", dir_ / "x").code(), StatusCode::kNotFound);
  Status s = fs_.WriteFileAtomic(dir_ / "no-dir" / "f", "x");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  // The message names the path and the OS error.
  EXPECT_NE(s.message().find((dir_ / "no-dir" / "f").string()), std::string::npos) << s;
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos) << s;
  EXPECT_FALSE(fs_.Exists(dir_ / "nope"));
}

TEST_F(RealFileSystemTest, DirectoriesListRenameRemove) {
  ASSERT_TRUE(fs_.CreateDirs(dir_ / "in" / "2026" / "01").ok());
  ASSERT_TRUE(fs_.CreateDirs(dir_ / "in" / "2026" / "01").ok());  // idempotent
  EXPECT_TRUE(fs_.Exists(dir_ / "in" / "2026"));
  ASSERT_TRUE(fs_.WriteFileAtomic(dir_ / "in" / "b.edi", "B").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic(dir_ / "in" / "a.edi", "A").ok());
  EXPECT_EQ(*fs_.ListDir(dir_ / "in"), (std::vector<std::string>{"2026", "a.edi", "b.edi"}));
  ASSERT_TRUE(fs_.Rename(dir_ / "in" / "a.edi", dir_ / "in" / "b.edi").ok());  // replaces
  EXPECT_EQ(*fs_.ReadFile(dir_ / "in" / "b.edi"), "A");
  EXPECT_FALSE(fs_.Exists(dir_ / "in" / "a.edi"));
  EXPECT_EQ(fs_.Remove(dir_ / "in" / "2026").code(), StatusCode::kFailedPrecondition);  // not empty
  ASSERT_TRUE(fs_.Remove(dir_ / "in" / "2026" / "01").ok());
  ASSERT_TRUE(fs_.Remove(dir_ / "in" / "2026").ok());
  ASSERT_TRUE(fs_.Remove(dir_ / "in" / "b.edi").ok());
  EXPECT_TRUE(fs_.ListDir(dir_ / "in")->empty());
  ASSERT_TRUE(fs_.WriteFileAtomic(dir_ / "file", "x").ok());
  EXPECT_EQ(fs_.CreateDirs(dir_ / "file").code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(fs_.CreateDirs(dir_ / "file" / "sub").ok());
  EXPECT_EQ(fs_.ReadFile(dir_).error().code(), StatusCode::kFailedPrecondition);  // a directory
}

TEST_F(RealFileSystemTest, FailedRenameLeavesTargetAndNoTemporary) {
  // The target is a non-empty directory: the final rename fails.
  ASSERT_TRUE(fs_.CreateDirs(dir_ / "target" / "x").ok());
  Status s = fs_.WriteFileAtomic(dir_ / "target", "data");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "target"));
  EXPECT_EQ(*fs_.ListDir(dir_), std::vector<std::string>{"target"});
}

// Restores RLIMIT_FSIZE and SIGXFSZ's disposition on scope exit.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_;
};

TEST_F(RealFileSystemTest, FailedWriteLeavesOldContentAndNoPartialFile) {
  const fs::path p = dir_ / "po.edi";
  ASSERT_TRUE(fs_.WriteFileAtomic(p, "old content").ok());
  Status s;
  {
    FileSizeLimit limit(4096);  // the write fails part-way, as on a full disk
    s = fs_.WriteFileAtomic(p, std::string(100000, 'n'));
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find(p.string()), std::string::npos) << s;
  EXPECT_EQ(*fs_.ReadFile(p), "old content");
  EXPECT_EQ(*fs_.ListDir(dir_), std::vector<std::string>{"po.edi"});

  // And for a file that did not exist before: nothing at the target name.
  {
    FileSizeLimit limit(4096);
    s = fs_.WriteFileAtomic(dir_ / "new.edi", std::string(100000, 'n'));
  }
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(fs_.Exists(dir_ / "new.edi"));
  EXPECT_EQ(*fs_.ListDir(dir_), std::vector<std::string>{"po.edi"});
}

TEST(MemFileSystemTest, BasicOperations) {
  MemFileSystem fs;
  EXPECT_TRUE(fs.Exists("/"));
  EXPECT_EQ(fs.WriteFileAtomic("/data/a", "x").code(), StatusCode::kNotFound);  // no dir
  ASSERT_TRUE(fs.CreateDirs("/data/in/").ok());
  EXPECT_TRUE(fs.Exists("/data"));
  ASSERT_TRUE(fs.WriteFileAtomic("/data/in/b.edi", "B").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/data/./in/a.edi", "AA").ok());
  EXPECT_EQ(*fs.ReadFile("/data/in/a.edi"), "AA");
  EXPECT_EQ(*fs.FileSize("/data/in/a.edi"), 2u);
  EXPECT_EQ(*fs.ListDir("/data/in"), (std::vector<std::string>{"a.edi", "b.edi"}));
  EXPECT_EQ(*fs.ListDir("/data"), std::vector<std::string>{"in"});
  EXPECT_EQ(*fs.ListDir("/"), std::vector<std::string>{"data"});
  ASSERT_TRUE(fs.Rename("/data/in/a.edi", "/data/in/b.edi").ok());
  EXPECT_EQ(*fs.ReadFile("/data/in/b.edi"), "AA");
  EXPECT_FALSE(fs.Exists("/data/in/a.edi"));
  EXPECT_EQ(fs.Rename("/data/in/a.edi", "/data/x").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.Rename("/data/in/b.edi", "/nodir/x").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.Remove("/data/in").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(fs.Remove("/data/in/b.edi").ok());
  ASSERT_TRUE(fs.Remove("/data/in").ok());
  EXPECT_EQ(fs.Remove("/data/in").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.ReadFile("/data/in/b.edi").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.ListDir("/nope").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.ReadFile("/data").error().code(), StatusCode::kFailedPrecondition);
}

TEST(MemFileSystemTest, FilesAndDirsDoNotMix) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.WriteFileAtomic("f", "x").ok());  // relative, at the root
  EXPECT_EQ(fs.CreateDirs("f/sub").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(fs.ListDir("f").error().code(), StatusCode::kNotFound);
  ASSERT_TRUE(fs.CreateDirs("d").ok());
  EXPECT_EQ(fs.WriteFileAtomic("d", "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*fs.ListDir(""), (std::vector<std::string>{"d", "f"}));
}

TEST(MemFileSystemTest, UsableThroughTheInterface) {
  MemFileSystem mem;
  FileSystem& fs = mem;
  ASSERT_TRUE(fs.CreateDirs("/out").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/out/850_1.edi", "ISA*...").ok());
  EXPECT_EQ(*fs.ReadFile("/out/850_1.edi"), "ISA*...");
}

}  // namespace
}  // namespace mlc
