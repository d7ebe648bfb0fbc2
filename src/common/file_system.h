// FileSystem: the file operations ml-connector needs, behind an interface (as leveldb's Env), so
// tests can run on memory and code never touches std::filesystem directly.
//
// RealFileSystem() works on the local disk through std::filesystem (error_code overloads: no
// exception escapes) and POSIX calls where fsync is needed. Errors carry the operation, the path
// and the OS error text: NOT_FOUND for a missing file or directory, ALREADY_EXISTS where that is
// the conflict, UNAVAILABLE for other I/O errors (EIO, ENOSPC, EACCES, ...) since a full disk or
// a remounted share may recover. MemFileSystem keeps everything in memory for unit tests.
//
// Thread safety: all implementations may be called from several threads; operations on the same
// path from several threads race as they would on a real disk (last rename wins).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mlc {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The whole content of a regular file. NOT_FOUND if missing.
  virtual Result<std::string> ReadFile(const std::filesystem::path& path) = 0;

  // Replaces `path` with `data` so that a reader (or a crash) sees the old content or the new,
  // never a mix: writes a temporary file in the same directory, fsyncs it, renames it over
  // `path`, then fsyncs the directory. On failure the temporary is removed and `path` is as it
  // was. The directory must exist (NOT_FOUND otherwise). New files get mode 0644 (less umask).
  virtual Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data) = 0;

  // Names (not paths) of the entries of `dir`, sorted. NOT_FOUND if `dir` does not exist.
  virtual Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) = 0;

  // Renames `from` to `to`, replacing a file at `to`. NOT_FOUND if `from` is missing.
  virtual Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;

  // Removes a file or an empty directory. NOT_FOUND if missing.
  virtual Status Remove(const std::filesystem::path& path) = 0;

  // True if a file or directory exists at `path` (errors count as "does not exist").
  virtual bool Exists(const std::filesystem::path& path) = 0;

  // Creates `dir` and any missing parents; OK if it already exists as a directory.
  virtual Status CreateDirs(const std::filesystem::path& dir) = 0;

  // Size in bytes of a regular file. NOT_FOUND if missing.
  virtual Result<uint64_t> FileSize(const std::filesystem::path& path) = 0;
};

// The process-wide local-disk implementation.
FileSystem& RealFileSystem();

// An in-memory FileSystem for unit tests. Paths are normalised lexically ("a/./b" == "a/b");
// relative and absolute paths are distinct. The root ("/" or "") always exists. WriteFileAtomic
// is atomic trivially (under the lock).
class MemFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::filesystem::path& path) override;
  Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data) override;
  Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) override;
  Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status Remove(const std::filesystem::path& path) override;
  bool Exists(const std::filesystem::path& path) override;
  Status CreateDirs(const std::filesystem::path& dir) override;
  Result<uint64_t> FileSize(const std::filesystem::path& path) override;

 private:
  bool DirExistsLocked(const std::string& dir) const;

  std::mutex mu_;
  std::map<std::string, std::string> files_;  // normalised path -> content
  std::set<std::string> dirs_;                // normalised paths of directories
};

}  // namespace mlc
