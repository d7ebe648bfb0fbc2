#include "cleo/transport.h"

#include <algorithm>
#include <utility>

#include "common/log.h"

namespace mlc::cleo {

Status CompareExistingOutbound(std::string_view name, std::string_view existing,
                               std::string_view wanted) {
  if (existing == wanted) {
    return AlreadyExistsError("outbound file '{}' is already in the mailbox with the same content",
                              Printable(name));
  }
  return FailedPreconditionError(
      "outbound file '{}' already exists with different content ({} bytes there, {} to write; "
      "sha256 {} vs {})",
      Printable(name), existing.size(), wanted.size(), Sha256Hex(existing).substr(0, 12),
      Sha256Hex(wanted).substr(0, 12));
}

Result<ListResult> FileTransport::ListInbox() {
  ASSIGN_OR_RETURN(std::vector<RemoteFile> raw, DoListInbox());
  ListResult out;
  for (RemoteFile& f : raw) {
    Status s = ValidateRemoteName(f.name);
    if (!s.ok()) {
      ++out.rejected;
      LogWarn("skipping an inbox file with an unsafe name",
              {{"transport", kind()}, {"reason", s.message()}});
      continue;
    }
    out.files.push_back(std::move(f));
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const RemoteFile& a, const RemoteFile& b) { return a.name < b.name; });
  return out;
}

Result<FetchedFile> FileTransport::Fetch(std::string_view name) {
  RETURN_IF_ERROR(ValidateRemoteName(name));
  std::string n(name);
  ASSIGN_OR_RETURN(std::string content, DoFetch(n));
  if (content.size() > limits_.max_file_bytes) {
    return OutOfRangeError("inbox file '{}' has {} bytes, more than the limit of {}",
                           Printable(name), content.size(), limits_.max_file_bytes);
  }
  FetchedFile f;
  f.name = std::move(n);
  f.sha256 = Sha256Hex(content);
  f.content = std::move(content);
  return f;
}

Status FileTransport::PutOutbox(std::string_view name, std::string_view content) {
  RETURN_IF_ERROR(ValidateRemoteName(name));
  if (content.size() > limits_.max_file_bytes) {
    return OutOfRangeError("outbound file '{}' has {} bytes, more than the limit of {}",
                           Printable(name), content.size(), limits_.max_file_bytes);
  }
  return DoPutOutbox(std::string(name), content);
}

Status FileTransport::Archive(std::string_view name) {
  RETURN_IF_ERROR(ValidateRemoteName(name));
  return DoArchive(std::string(name));
}

Status FileTransport::Delete(std::string_view name) {
  RETURN_IF_ERROR(ValidateRemoteName(name));
  return DoDelete(std::string(name));
}

}  // namespace mlc::cleo
