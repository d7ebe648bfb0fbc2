// `ml-connector edi ...`: X12 tools on files (FILE `-` = stdin).
//   edi to-json FILE    the lossless JSON form (docs/edi-json.md) on stdout
//   edi from-json FILE  X12 from that JSON form on stdout
//   edi fmt FILE        the same X12, one segment per line
//   edi validate FILE.. schema validation with 997 codes (exit 0 all valid, 1 any invalid)
//   edi ack FILE        the 997 (--999: 999) that would be sent for FILE's groups
// Errors go to stderr with their location; exit 0 ok, 1 the input is not usable, 2 usage (a file
// that cannot be opened, bad options). `edi validate` and `edi ack` are registered here too.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "edi/ack.h"
#include "edi/json_form.h"
#include "edi/reader.h"
#include "edi/validator.h"
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

// `edi validate FILE...` and `edi ack FILE` (validator.h, ack.h).
void RegisterEdiValidateCommands(Cli& cli, CLI::App* edi) {
  struct Options {
    std::vector<std::string> files;
    bool json = false;
    bool accept_unknown_segments = false;
    bool accept_isa11_letter = false;
    bool accept_element_errors = false;
    std::vector<std::string> ignore_codes;
    std::string file;
    bool ack999 = false;
    std::string isa13 = "1", gs06 = "1", st02 = "0001", date = "20000101", time = "0000";
  };
  auto opts = std::make_shared<Options>();
  auto validator_options = [opts] {
    edi::ValidatorOptions v;
    v.accept_unknown_segments = opts->accept_unknown_segments;
    v.accept_isa11_letter_in_5010 = opts->accept_isa11_letter;
    v.accept_element_errors = opts->accept_element_errors;
    v.ignore_code_lists_for.insert(opts->ignore_codes.begin(), opts->ignore_codes.end());
    return v;
  };
  auto add_tolerances = [opts](CLI::App* c) {
    c->add_flag("--accept-unknown-segments", opts->accept_unknown_segments,
                "tolerate unknown segments (AK304 1 and 6)");
    c->add_flag("--accept-isa11-letter", opts->accept_isa11_letter,
                "tolerate a letter (U) in ISA11 of a 00402+ interchange");
    c->add_flag("--accept-element-errors", opts->accept_element_errors,
                "accept sets whose only errors are element errors (AK501 E)");
    c->add_option("--ignore-codes", opts->ignore_codes,
                  "element ids (BEG02) or element numbers (355) whose code list is not checked");
  };

  CLI::App* validate = edi->add_subcommand(
      "validate", "Validate X12 files against the schemas; report problems with 997 codes");
  validate->add_option("FILE", opts->files, "X12 files, or - for stdin")->required();
  validate->add_flag("--json", opts->json, "print the report as JSON");
  add_tolerances(validate);
  validate->callback([&cli, opts, validator_options] {
    bool all_valid = true;
    for (const std::string& path : opts->files) {
      auto input = Input::Open(path);
      if (!input.ok()) {
        std::fprintf(stderr, "ml-connector edi validate: %s\n", input.error().message().c_str());
        cli.exit_code = kExitUsage;
        return;
      }
      auto report = edi::ValidateInput((*input)->source(), validator_options());
      if (!report.ok()) {
        std::fprintf(stderr, "ml-connector edi validate: %s: %s\n", path.c_str(),
                     report.error().message().c_str());
        all_valid = false;
        continue;
      }
      std::string text = opts->json ? edi::FormatReportJson(*report, path) + "\n"
                                    : edi::FormatReport(*report, path);
      if (!WriteStdout(text).ok()) {
        cli.exit_code = kExitFailure;
        return;
      }
      all_valid = all_valid && report->ok();
    }
    std::fflush(stdout);
    cli.exit_code = all_valid ? kExitOk : kExitFailure;
  });

  CLI::App* ack = edi->add_subcommand(
      "ack", "Print the 997 (or 999) that would be sent for each interchange of an X12 file");
  ack->add_option("FILE", opts->file, "X12 file, or - for stdin")->required();
  ack->add_flag("--999", opts->ack999, "build a 999 (005010X231A1) instead of a 997");
  ack->add_option("--isa13", opts->isa13, "interchange control number of the ack");
  ack->add_option("--gs06", opts->gs06, "first group control number of the ack");
  ack->add_option("--st02", opts->st02, "first transaction set control number of the ack");
  ack->add_option("--date", opts->date, "CCYYMMDD for ISA09/GS04");
  ack->add_option("--time", opts->time, "HHMM for ISA10/GS05");
  add_tolerances(ack);
  ack->callback([&cli, opts, validator_options] {
    Run(cli, "ack", opts->file, [&](Input& in) -> Status {
      ASSIGN_OR_RETURN(auto report, edi::ValidateInput(in.source(), validator_options()));
      edi::AckOptions o;
      o.kind = opts->ack999 ? edi::AckKind::k999 : edi::AckKind::k997;
      o.interchange_control_number = opts->isa13;
      o.group_control_number = opts->gs06;
      o.set_control_number = opts->st02;
      o.date = opts->date;
      o.time = opts->time;
      bool any = false;
      for (const edi::InterchangeResult& ic : report.interchanges) {
        if (ic.groups.empty()) continue;
        ASSIGN_OR_RETURN(std::string x12, edi::BuildAcknowledgment(ic, o));
        RETURN_IF_ERROR(WriteStdout(x12));
        any = true;
      }
      if (!any) return InvalidArgumentError("no functional group to acknowledge");
      return Status::Ok();
    });
  });
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

  RegisterEdiValidateCommands(cli, edi);
}

}  // namespace mlc::app
