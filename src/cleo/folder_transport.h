// FolderTransport: a partner mailbox as a directory tree, for connectors running beside Harmony
// or on storage shared with it:
//
//   <root>/inbox/         partner files Cleo received for us       (ListInbox, Fetch)
//   <root>/outbox/        files for Cleo to send to the partner     (PutOutbox)
//   <root>/sentbox/       Cleo's copies of what it sent             (checked by PutOutbox)
//   <root>/receivedbox/   processed inbox files                     (Archive)
//   <root>/.mlc-staging/  our temporaries                           (never polled by Cleo)
//
// Outbound files are written whole into the staging directory (temporary name, fsync, rename,
// directory fsync: FileSystem::WriteFileAtomic) and then renamed into the outbox, so Cleo's
// outbox poller only ever sees complete files: a rename within one file system is atomic, and the
// temporary never sits in a directory Cleo watches. The sub-directory names are configurable
// (Harmony lets each host choose them; cleo.md section 2.1) but must be relative, plain and never
// Harmony's `autorun` directory.
//
// Archive renames into the receivedbox; when a file of that name is already archived with other
// content (partners reuse names like "invoice.edi"), the new copy is kept as "<name>.<sha12>".
//
// Thread safety: as the FileSystem it runs on. The FileSystem must outlive the transport.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "cleo/transport.h"
#include "common/file_system.h"

namespace mlc::cleo {

struct FolderTransportOptions {
  std::filesystem::path root;
  std::string inbox = "inbox";
  std::string outbox = "outbox";
  std::string sentbox = "sentbox";
  std::string receivedbox = "receivedbox";
  std::string staging = ".mlc-staging";
};

class FolderTransport final : public FileTransport {
 public:
  // Checks the directory names (ValidateMailboxDirectory; staging may start with '.'), then
  // creates staging and receivedbox if missing. Errors: INVALID_ARGUMENT / PERMISSION_DENIED for
  // bad names (autorun), NOT_FOUND when root or inbox or outbox does not exist, file-system
  // errors.
  static Result<std::unique_ptr<FolderTransport>> Create(FileSystem& fs,
                                                         FolderTransportOptions options,
                                                         TransportLimits limits = {});

  std::string_view kind() const override { return "folder"; }
  const FolderTransportOptions& options() const { return options_; }

 protected:
  Result<std::vector<RemoteFile>> DoListInbox() override;
  Result<std::string> DoFetch(const std::string& name) override;
  Status DoPutOutbox(const std::string& name, std::string_view content) override;
  Status DoArchive(const std::string& name) override;
  Status DoDelete(const std::string& name) override;

 private:
  FolderTransport(FileSystem& fs, FolderTransportOptions options, TransportLimits limits);
  std::filesystem::path Dir(const std::string& sub) const { return options_.root / sub; }

  FileSystem& fs_;
  FolderTransportOptions options_;
};

}  // namespace mlc::cleo
