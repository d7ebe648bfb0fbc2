// FileTransport: the one interface through which ml-connector moves files to and from a Cleo
// partner mailbox, whatever carries them (the `/server` HTTP commands, a shared folder).
//
// Directions follow the connector's view: the *inbox* holds what partners sent us (810, 855,
// 997), the *outbox* what Cleo sends on to the partner (our 850s and 997s).
//
// The public member functions are the safety layer every transport shares (non-virtual interface):
//  - every file name, from a listing or a caller, must pass ValidateRemoteName before it is used
//    in a path or a request; bad names in a listing are skipped (logged at WARN, counted in
//    ListResult::rejected), bad names from callers are INVALID_ARGUMENT;
//  - a file larger than `max_file_bytes` is never fetched or put (OUT_OF_RANGE);
//  - Fetch returns the content with its SHA-256, the identity used for "processed once".
// Implementations provide the Do* functions and may assume validated input.
//
// PutOutbox is idempotent by name: when a file of that name already exists in the outbox (or
// sentbox, where Cleo keeps what it sent) with the same bytes, it returns ALREADY_EXISTS, which
// the relay counts as delivered; with different bytes, FAILED_PRECONDITION (two documents claim
// one name: a control-number bug or a stale file, a person must look).
//
// Thread safety: implementations may be called from several threads; operations on the same
// name race as they would on a file system.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cleo/names.h"
#include "common/status.h"

namespace mlc::cleo {

struct RemoteFile {
  std::string name;
  uint64_t size = 0;  // 0 when the transport does not know it before fetching
};

struct ListResult {
  std::vector<RemoteFile> files;  // valid names only, sorted by name
  int rejected = 0;               // names skipped because they failed ValidateRemoteName
};

struct FetchedFile {
  std::string name;
  std::string content;
  std::string sha256;  // lowercase hex of content
  InboundFileId id() const { return {name, sha256}; }
};

struct TransportLimits {
  uint64_t max_file_bytes = 32ull << 20;  // larger files are refused both ways
};

class FileTransport {
 public:
  explicit FileTransport(TransportLimits limits) : limits_(limits) {}
  virtual ~FileTransport() = default;
  FileTransport(const FileTransport&) = delete;
  FileTransport& operator=(const FileTransport&) = delete;

  // The files waiting in the inbox. Errors: the transport's (UNAVAILABLE, PERMISSION_DENIED...).
  Result<ListResult> ListInbox();
  // One inbox file. Errors: INVALID_ARGUMENT for an unsafe name, NOT_FOUND, OUT_OF_RANGE when it
  // is larger than the limit.
  Result<FetchedFile> Fetch(std::string_view name);
  // Drops `content` into the outbox as `name` so that Cleo never sees a partial file. OK = written
  // now; ALREADY_EXISTS = the same bytes were already there (delivered); FAILED_PRECONDITION = a
  // different file holds the name; INVALID_ARGUMENT / OUT_OF_RANGE for bad input.
  Status PutOutbox(std::string_view name, std::string_view content);
  // Moves a processed inbox file out of the way, keeping a copy (receivedbox). NOT_FOUND when it
  // is gone already.
  Status Archive(std::string_view name);
  // Removes a processed inbox file. NOT_FOUND when it is gone already.
  Status Delete(std::string_view name);

  const TransportLimits& limits() const { return limits_; }
  virtual std::string_view kind() const = 0;  // "http", "folder"

 protected:
  virtual Result<std::vector<RemoteFile>> DoListInbox() = 0;
  virtual Result<std::string> DoFetch(const std::string& name) = 0;
  virtual Status DoPutOutbox(const std::string& name, std::string_view content) = 0;
  virtual Status DoArchive(const std::string& name) = 0;
  virtual Status DoDelete(const std::string& name) = 0;

 private:
  TransportLimits limits_;
};

// Compares an existing outbound file with what a retried drop wants to write (see PutOutbox).
Status CompareExistingOutbound(std::string_view name, std::string_view existing,
                               std::string_view wanted);

}  // namespace mlc::cleo
