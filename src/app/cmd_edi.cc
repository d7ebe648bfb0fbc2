// `ml-connector edi ...`: X12 tools on files (FILE `-` = stdin).
//   edi to-json FILE    the lossless JSON form (docs/edi-json.md) on stdout
//   edi from-json FILE  X12 from that JSON form on stdout
//   edi fmt FILE        the same X12, one segment per line
// Errors go to stderr with their location; exit 0 ok, 1 the input is not usable, 2 usage (a file
// that cannot be opened, bad options). `edi validate` and `edi ack` are registered here too.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "app/commands.h"
#include "edi/json_form.h"
#include "edi/reader.h"
#include "edi/writer.h"

namespace mlc::app {
namespace {

// An open input: stdin for "-", else the file (closed on destruction).
class Input {
 public:
  static Result<std::unique_ptr<Input>> Open(const std::string& path) {
    if (path == "-") return std::unique_ptr<Input>(new Input(0, "stdin", false));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NotFoundError("opening {}: {}", path, std::strerror(errno));
    return std::unique_ptr<Input>(new Input(fd, path, true));
  }
  ~Input() {
    if (owned_) ::close(fd_);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  edi::ByteSource& source() { return source_; }

  Result<std::string> ReadAll() {
    std::string out;
    char buf[1 << 16];
    for (;;) {
      ASSIGN_OR_RETURN(size_t n, source_.Read(buf, sizeof buf));
      if (n == 0) return out;
      out.append(buf, n);
    }
  }

 private:
  Input(int fd, std::string name, bool owned)
      : fd_(fd), owned_(owned), source_(fd, std::move(name)) {}
  int fd_;
  bool owned_;
  edi::FdSource source_;
};

Status WriteStdout(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
    return UnavailableError("writing to stdout: {}", std::strerror(errno));
  }
  return Status::Ok();
}

// Runs `body` on the opened FILE and maps its outcome onto an exit code and stderr.
template <typename Body>
void Run(Cli& cli, const std::string& command, const std::string& path, Body body) {
  auto input = Input::Open(path);
  if (!input.ok()) {
    std::fprintf(stderr, "ml-connector edi %s: %s\n", command.c_str(),
                 input.error().message().c_str());
    cli.exit_code = kExitUsage;
    return;
  }
  Status s = body(**input);
  if (std::fflush(stdout) != 0 && s.ok()) s = UnavailableError("writing to stdout failed");
  if (!s.ok()) {
    std::fprintf(stderr, "ml-connector edi %s: %s: %s\n", command.c_str(), path.c_str(),
                 s.message().c_str());
    cli.exit_code = kExitFailure;
    return;
  }
  cli.exit_code = kExitOk;
}

}  // namespace

void RegisterEdiCommands(Cli& cli) {
  CLI::App* edi = cli.app.add_subcommand("edi", "X12 EDI tools: convert, format, validate");
  edi->require_subcommand(1);

  struct Options {
    std::string file;
    int indent = 2;
    std::string line_break = "lf";
  };
  auto opts = std::make_shared<Options>();

  CLI::App* to_json = edi->add_subcommand(
      "to-json", "Print the lossless JSON form of an X12 file (see docs/edi-json.md)");
  to_json->add_option("FILE", opts->file, "X12 file, or - for stdin")->required();
  to_json->add_option("--indent", opts->indent, "JSON indentation (-1 = one line)");
  to_json->callback([&cli, opts] {
    Run(cli, "to-json", opts->file, [&](Input& in) -> Status {
      ASSIGN_OR_RETURN(auto doc, edi::ToJson(in.source()));
      ASSIGN_OR_RETURN(std::string text, edi::DumpJson(doc, opts->indent));
      text.push_back('\n');
      return WriteStdout(text);
    });
  });

  CLI::App* from_json =
      edi->add_subcommand("from-json", "Write X12 from its JSON form (the output of to-json)");
  from_json->add_option("FILE", opts->file, "JSON file, or - for stdin")->required();
  from_json->callback([&cli, opts] {
    Run(cli, "from-json", opts->file, [&](Input& in) -> Status {
      ASSIGN_OR_RETURN(std::string text, in.ReadAll());
      ASSIGN_OR_RETURN(std::string x12, edi::FromJsonText(text));
      return WriteStdout(x12);
    });
  });

  CLI::App* fmt_cmd = edi->add_subcommand(
      "fmt", "Print an X12 file with one segment per line (delimiters unchanged)");
  fmt_cmd->add_option("FILE", opts->file, "X12 file, or - for stdin")->required();
  fmt_cmd->add_option("--line-break", opts->line_break,
                      "after each terminator: lf, crlf, none, or keep (each interchange's own)")
      ->check(CLI::IsMember({"lf", "crlf", "none", "keep"}));
  fmt_cmd->callback([&cli, opts] {
    std::optional<edi::LineBreak> lb;
    if (opts->line_break == "lf") lb = edi::LineBreak::kLf;
    if (opts->line_break == "crlf") lb = edi::LineBreak::kCrLf;
    if (opts->line_break == "none") lb = edi::LineBreak::kNone;
    Run(cli, "fmt", opts->file, [&](Input& in) -> Status {
      return edi::Reformat(in.source(), lb, WriteStdout);
    });
  });
}

}  // namespace mlc::app
