#include "common/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <system_error>

namespace mlc {
namespace {

namespace fs = std::filesystem;

Status ErrorFor(std::error_code ec, std::string_view op, const fs::path& path) {
  const std::string text = ec.message();
  if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
    return NotFoundError("{} '{}': {}", op, path.string(), text);
  }
  if (ec == std::errc::file_exists) {
    return AlreadyExistsError("{} '{}': {}", op, path.string(), text);
  }
  if (ec == std::errc::is_a_directory || ec == std::errc::directory_not_empty ||
      ec == std::errc::invalid_argument) {
    return FailedPreconditionError("{} '{}': {}", op, path.string(), text);
  }
  // EIO, ENOSPC, EDQUOT, EACCES, EROFS, EFBIG...: may clear up (space freed, share remounted).
  return UnavailableError("{} '{}': {}", op, path.string(), text);
}

Status ErrnoError(int err, std::string_view op, const fs::path& path) {
  return ErrorFor(std::error_code(err, std::generic_category()), op, path);
}

// Closes a file descriptor on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, returning close()'s errno (0 on success): on NFS a write error can surface here.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

class RealFs final : public FileSystem {
 public:
  Result<std::string> ReadFile(const fs::path& path) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return ErrnoError(errno, "reading", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ErrnoError(errno, "reading", path);
    if (S_ISDIR(st.st_mode)) return ErrnoError(EISDIR, "reading", path);
    std::string data;
    data.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    while (true) {
      const ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(errno, "reading", path);
      }
      if (n == 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }

  Status WriteFileAtomic(const fs::path& path, std::string_view data) override {
    if (!path.has_filename())
      return InvalidArgumentError("writing '{}': no file name", path.string());
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    static std::atomic<uint64_t> counter{0};
    // A dot name, so directory scanners that skip hidden files never pick up a half-written
    // temporary (one left by a crash included).
    const fs::path tmp = dir / ("." + path.filename().string() + ".tmp-" +
                                std::to_string(::getpid()) + "-" + std::to_string(++counter));
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) return ErrnoError(errno, "writing", path);

    Status status = WriteAll(fd.get(), data, path);
    if (status.ok() && ::fsync(fd.get()) != 0) status = ErrnoError(errno, "syncing", path);
    if (const int err = fd.Close(); status.ok() && err != 0)
      status = ErrnoError(err, "closing", path);
    if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
      status = ErrnoError(errno, "renaming into place", path);
    }
    if (!status.ok()) {
      ::unlink(tmp.c_str());
      return status;
    }
    // The rename is durable only once the directory entry is on disk.
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0) return ErrnoError(errno, "syncing directory of", path);
    if (::fsync(dir_fd.get()) != 0) return ErrnoError(errno, "syncing directory of", path);
    return Status();
  }

  Result<std::vector<std::string>> ListDir(const fs::path& dir) override {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return ErrorFor(ec, "listing", dir);
    std::vector<std::string> names;
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
      if (ec) return ErrorFor(ec, "listing", dir);
      names.push_back(it->path().filename().string());
    }
    if (ec) return ErrorFor(ec, "listing", dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status Rename(const fs::path& from, const fs::path& to) override {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) return ErrorFor(ec, "renaming to '" + to.string() + "'", from);
    return Status();
  }

  Status Remove(const fs::path& path) override {
    std::error_code ec;
    if (!fs::remove(path, ec)) {
      if (ec) return ErrorFor(ec, "removing", path);
      return ErrnoError(ENOENT, "removing", path);
    }
    return Status();
  }

  bool Exists(const fs::path& path) override {
    std::error_code ec;
    return fs::exists(path, ec);
  }

  Status CreateDirs(const fs::path& dir) override {
    std::error_code ec;
    // libstdc++ reports ENOTDIR for an existing file; say what the conflict is.
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
      return ErrnoError(EEXIST, "creating directory", dir);
    }
    fs::create_directories(dir, ec);
    if (ec) return ErrorFor(ec, "creating directory", dir);
    if (!fs::is_directory(dir, ec)) return ErrnoError(EEXIST, "creating directory", dir);
    return Status();
  }

  Result<uint64_t> FileSize(const fs::path& path) override {
    std::error_code ec;
    const uintmax_t size = fs::file_size(path, ec);
    if (ec) return ErrorFor(ec, "sizing", path);
    return static_cast<uint64_t>(size);
  }

 private:
  static Status WriteAll(int fd, std::string_view data, const fs::path& path) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(errno, "writing", path);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status();
  }
};

std::string Normal(const fs::path& p) {
  std::string s = p.lexically_normal().generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  if (s == ".") s.clear();
  return s;
}

std::string ParentOf(const std::string& normal) { return Normal(fs::path(normal).parent_path()); }

}  // namespace

FileSystem& RealFileSystem() {
  static RealFs* fs = new RealFs();  // never destroyed: may be used during shutdown
  return *fs;
}

bool MemFileSystem::DirExistsLocked(const std::string& dir) const {
  return dir.empty() || dir == "/" || dirs_.count(dir) > 0;
}

Result<std::string> MemFileSystem::ReadFile(const fs::path& path) {
  std::lock_guard lock(mu_);
  const std::string p = Normal(path);
  auto it = files_.find(p);
  if (it != files_.end()) return it->second;
  if (DirExistsLocked(p)) return ErrnoError(EISDIR, "reading", path);
  return ErrnoError(ENOENT, "reading", path);
}

Status MemFileSystem::WriteFileAtomic(const fs::path& path, std::string_view data) {
  std::lock_guard lock(mu_);
  const std::string p = Normal(path);
  if (p.empty() || p == "/")
    return InvalidArgumentError("writing '{}': no file name", path.string());
  if (!DirExistsLocked(ParentOf(p))) return ErrnoError(ENOENT, "writing", path);
  if (dirs_.count(p)) return ErrnoError(EISDIR, "writing", path);
  files_[p] = std::string(data);
  return Status();
}

Result<std::vector<std::string>> MemFileSystem::ListDir(const fs::path& dir) {
  std::lock_guard lock(mu_);
  const std::string d = Normal(dir);
  if (!DirExistsLocked(d)) {
    if (files_.count(d)) return ErrnoError(ENOTDIR, "listing", dir);
    return ErrnoError(ENOENT, "listing", dir);
  }
  std::vector<std::string> names;
  for (const auto& [p, content] : files_) {
    if (ParentOf(p) == d) names.push_back(fs::path(p).filename().string());
  }
  for (const std::string& p : dirs_) {
    if (ParentOf(p) == d) names.push_back(fs::path(p).filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status MemFileSystem::Rename(const fs::path& from, const fs::path& to) {
  std::lock_guard lock(mu_);
  const std::string f = Normal(from);
  const std::string t = Normal(to);
  auto it = files_.find(f);
  if (it == files_.end()) {
    // Directories are not renamed by ml-connector; keep the fake simple.
    if (dirs_.count(f)) return UnimplementedError("MemFileSystem: renaming directory '{}'", f);
    return ErrnoError(ENOENT, "renaming to '" + to.string() + "'", from);
  }
  if (!DirExistsLocked(ParentOf(t))) return ErrnoError(ENOENT, "renaming to '" + t + "'", from);
  if (dirs_.count(t)) return ErrnoError(EISDIR, "renaming to '" + t + "'", from);
  if (f == t) return Status();
  std::string content = std::move(it->second);
  files_.erase(it);
  files_[t] = std::move(content);
  return Status();
}

Status MemFileSystem::Remove(const fs::path& path) {
  std::lock_guard lock(mu_);
  const std::string p = Normal(path);
  if (files_.erase(p)) return Status();
  if (dirs_.count(p)) {
    const std::string prefix = p + "/";
    auto has_child = [&](const std::string& q) { return q.rfind(prefix, 0) == 0; };
    if (std::any_of(files_.begin(), files_.end(), [&](auto& kv) { return has_child(kv.first); }) ||
        std::any_of(dirs_.begin(), dirs_.end(), has_child)) {
      return ErrnoError(ENOTEMPTY, "removing", path);
    }
    dirs_.erase(p);
    return Status();
  }
  return ErrnoError(ENOENT, "removing", path);
}

bool MemFileSystem::Exists(const fs::path& path) {
  std::lock_guard lock(mu_);
  const std::string p = Normal(path);
  return files_.count(p) > 0 || DirExistsLocked(p);
}

Status MemFileSystem::CreateDirs(const fs::path& dir) {
  std::lock_guard lock(mu_);
  std::vector<std::string> chain;
  for (std::string d = Normal(dir); !d.empty() && d != "/"; d = ParentOf(d)) {
    if (files_.count(d)) return ErrnoError(EEXIST, "creating directory", dir);
    chain.push_back(d);
  }
  dirs_.insert(chain.begin(), chain.end());
  return Status();
}

Result<uint64_t> MemFileSystem::FileSize(const fs::path& path) {
  std::lock_guard lock(mu_);
  const std::string p = Normal(path);
  auto it = files_.find(p);
  if (it != files_.end()) return static_cast<uint64_t>(it->second.size());
  if (DirExistsLocked(p)) return ErrnoError(EISDIR, "sizing", path);
  return ErrnoError(ENOENT, "sizing", path);
}

}  // namespace mlc
