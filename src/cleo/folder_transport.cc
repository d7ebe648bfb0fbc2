#include "cleo/folder_transport.h"

#include <utility>

namespace mlc::cleo {

FolderTransport::FolderTransport(FileSystem& fs, FolderTransportOptions options,
                                 TransportLimits limits)
    : FileTransport(limits), fs_(fs), options_(std::move(options)) {}

Result<std::unique_ptr<FolderTransport>> FolderTransport::Create(FileSystem& fs,
                                                                 FolderTransportOptions options,
                                                                 TransportLimits limits) {
  if (options.root.empty()) return InvalidArgumentError("folder transport: root is empty");
  if (MentionsAutorun(options.root.string())) {
    return PermissionDeniedError(
        "folder transport: root '{}' is inside Harmony's autorun "
        "directory: ml-connector never writes there",
        Printable(options.root.string()));
  }
  for (const std::string* dir :
       {&options.inbox, &options.outbox, &options.sentbox, &options.receivedbox}) {
    RETURN_IF_ERROR(ValidateMailboxDirectory(*dir).WithContext("folder transport"));
  }
  // The staging directory is ours and hidden on purpose; check it without the leading dot.
  if (options.staging.size() < 2 || options.staging.front() != '.' ||
      !ValidateMailboxDirectory(options.staging.substr(1)).ok()) {
    return InvalidArgumentError(
        "folder transport: staging directory '{}' must be a plain name "
        "starting with '.'",
        Printable(options.staging));
  }
  for (const std::string* dir : {&options.inbox, &options.outbox}) {
    if (!fs.Exists(options.root / *dir)) {
      return NotFoundError("folder transport: '{}' does not exist",
                           Printable((options.root / *dir).string()));
    }
  }
  RETURN_IF_ERROR(fs.CreateDirs(options.root / options.staging));
  RETURN_IF_ERROR(fs.CreateDirs(options.root / options.receivedbox));
  return std::unique_ptr<FolderTransport>(new FolderTransport(fs, std::move(options), limits));
}

Result<std::vector<RemoteFile>> FolderTransport::DoListInbox() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.ListDir(Dir(options_.inbox)));
  std::vector<RemoteFile> out;
  for (std::string& n : names) {
    if (!n.empty() && n.front() == '.') continue;  // hidden: someone's temporary, not a delivery
    Result<uint64_t> size = fs_.FileSize(Dir(options_.inbox) / n);
    if (!size.ok()) continue;  // a directory, or gone since the listing
    out.push_back(RemoteFile{std::move(n), *size});
  }
  return out;
}

Result<std::string> FolderTransport::DoFetch(const std::string& name) {
  const auto path = Dir(options_.inbox) / name;
  ASSIGN_OR_RETURN(uint64_t size, fs_.FileSize(path));
  if (size > limits().max_file_bytes) {
    return OutOfRangeError("inbox file '{}' has {} bytes, more than the limit of {}",
                           Printable(name), size, limits().max_file_bytes);
  }
  return fs_.ReadFile(path);
}

Status FolderTransport::DoPutOutbox(const std::string& name, std::string_view content) {
  for (const std::string* dir : {&options_.outbox, &options_.sentbox}) {
    const auto existing = Dir(*dir) / name;
    if (!fs_.Exists(existing)) continue;
    ASSIGN_OR_RETURN(std::string there, fs_.ReadFile(existing));
    return CompareExistingOutbound(name, there, content);
  }
  const auto staged = Dir(options_.staging) / name;
  RETURN_IF_ERROR(fs_.WriteFileAtomic(staged, content));
  Status s = fs_.Rename(staged, Dir(options_.outbox) / name);
  if (!s.ok()) fs_.Remove(staged).IgnoreError();
  return s;
}

Status FolderTransport::DoArchive(const std::string& name) {
  const auto from = Dir(options_.inbox) / name;
  if (!fs_.Exists(from)) {
    return NotFoundError("archiving inbox file '{}': it is not there", Printable(name));
  }
  auto to = Dir(options_.receivedbox) / name;
  if (fs_.Exists(to)) {
    ASSIGN_OR_RETURN(std::string ours, fs_.ReadFile(from));
    ASSIGN_OR_RETURN(std::string theirs, fs_.ReadFile(to));
    if (ours == theirs) return fs_.Remove(from);  // archived before; the copy is redundant
    to = Dir(options_.receivedbox) / (name + "." + Sha256Hex(ours).substr(0, 12));
  }
  return fs_.Rename(from, to);
}

Status FolderTransport::DoDelete(const std::string& name) {
  return fs_.Remove(Dir(options_.inbox) / name);
}

}  // namespace mlc::cleo
