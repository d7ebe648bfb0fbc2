// A console server for the browser test: seeds a SQLite store (a temporary file) with a few
// documents, one of them parked with a reason, and serves the ops console on 127.0.0.1, port 0.
// Prints "PORT <n>" on stdout once it listens; stops when stdin closes (the test's end).
//
//   console_browser_server DB_PATH
//
// Times: the store runs on a FakeClock set two days back while seeding, then to the real time,
// so the partners page has a 997 that is overdue by the partner's 24h.
#include <cstdio>
#include <iostream>
#include <string>

#include "common/clock.h"
#include "flows/runner.h"
#include "server/console.h"
#include "server/http_server.h"
#include "store/store.h"

namespace {

using namespace mlc;  // NOLINT(google-build-using-namespace): a small test program

constexpr std::string_view kX12 =
    "ISA*00*          *00*          *ZZ*MLCONNECTOR    *ZZ*ACMESUPPLY     *260102*0304*U*00401*"
    "000000101*0*P*>~GS*PO*MLCONNECTOR*ACMESUPPLY*20260102*0304*101*X*004010~ST*850*0001~"
    "BEG*00*SA*PO-2001**20260102~REF*VN*881~N1*ST*Main Warehouse*92*WH1~"
    "PO1*1*12*EA*4.25**VP*ACME-100~PID*F****Hex bolt M8~CTT*1~SE*8*0001~GE*1*101~"
    "IEA*1*000000101~";

class DemoFlow : public flows::Flow {
 public:
  explicit DemoFlow(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Result<flows::RunSummary> Run(flows::RunContext&) override {
    flows::RunSummary s;
    s.counts["read"] = 2;
    s.counts["sent"] = 1;
    return s;
  }

 private:
  std::string name_;
};

store::NewDocument Po(std::string po, std::string partner) {
  store::NewDocument d;
  d.idempotency_key = "po:" + po;
  d.type = "850";
  d.partner = std::move(partner);
  d.po_number = std::move(po);
  d.step = "render";
  return d;
}

Status Seed(store::Store& s, FakeClock& clock) {
  store::IngestBatch out;
  out.flow = "po_outbound";
  store::NewDocument sent = Po("PO-2001", "ACME");
  sent.payloads = {{"fetch", "input", "application/json",
                    R"({"tranId":"PO-2001","entity":{"id":"881"},"item":{"items":[)"
                    R"({"item":{"refName":"ACME-100"},"quantity":12,"rate":"4.25"}]}})"}};
  store::NewDocument parked = Po("PO-2002", "ACME");
  parked.state = store::DocState::kParked;
  parked.error = FailedPreconditionError(
      "vendor 'Northwind Metals' (NetSuite id 907) has no trading partner in the config");
  // A hostile value: the page must show it as text, never as markup.
  store::NewDocument hostile = Po("<img src=x onerror=alert(1)>PO-2003", "ACME");
  out.documents = {sent, parked, hostile};
  ASSIGN_OR_RETURN(auto ids, s.Ingest(out));

  // PO-2001 and PO-2003 go through render and send (done); only PO-2001 gets its 997.
  store::ClaimRequest req;
  req.worker_id = "relay-1";
  req.limit = 10;
  ASSIGN_OR_RETURN(auto claimed, s.Claim(req));
  for (const auto& c : claimed) {
    store::Completion done;
    done.outputs = {{"render", "output", "application/edi-x12", std::string(kX12)}};
    done.audit = {
        {std::string(store::event::kMapped), "render", "relay-1", "8 segments", {}},
        {std::string(store::event::kSent), "render", "relay-1", "to Cleo mailbox ACMESUPPLY", {}}};
    RETURN_IF_ERROR(s.Complete(c.lease, done));
  }
  clock.Advance(std::chrono::hours(2));
  RETURN_IF_ERROR(s.AppendAudit(
      ids.ids[0], {std::string(store::event::kAcknowledged), "", "fa_inbound", "997 AK5*A", {}}));

  clock.Advance(std::chrono::hours(20));
  store::IngestBatch in;
  in.flow = "invoice_inbound";
  store::NewDocument inv;
  inv.idempotency_key = "inv:INV-88";
  inv.direction = store::Direction::kIn;
  inv.type = "810";
  inv.partner = "GLOBEX";
  inv.invoice_number = "INV-88";
  inv.po_number = "PO-1990";
  inv.step = "match";
  inv.payloads = {{"receive", "input", "application/edi-x12",
                   "ISA*00*          *00*          *ZZ*GLOBEX         *ZZ*MLCONNECTOR    *260103*"
                   "0100*U*00401*000000007*0*P*>~GS*IN*GLOBEX*MLCONNECTOR*20260103*0100*7*X*004010~"
                   "ST*810*0001~BIG*20260103*INV-88**PO-1990~TDS*5100~SE*4*0001~GE*1*7~"
                   "IEA*1*000000007~"}};
  in.documents = {inv};
  RETURN_IF_ERROR(s.Ingest(in).status());
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: console_browser_server DB_PATH\n";
    return 2;
  }
  FakeClock clock(SystemClock::Get().Now() - std::chrono::hours(48));
  auto opened = store::OpenStore(std::string("sqlite://") + argv[1], clock);
  if (!opened.ok()) {
    std::cerr << "open store: " << opened.status().ToString() << "\n";
    return 1;
  }
  auto& st = **opened;
  if (Status s = Seed(st, clock); !s.ok()) {
    std::cerr << "seed: " << s.ToString() << "\n";
    return 1;
  }
  clock.Set(SystemClock::Get().Now());

  flows::FlowRunner runner(clock, flows::TimeZone::FixedOffset({}));
  runner.Add(std::make_unique<DemoFlow>("po_outbound"), *flows::Schedule::Parse("every 5m"));
  runner.Add(std::make_unique<DemoFlow>("invoice_inbound"),
             *flows::Schedule::Parse("*/15 * * * *"));
  runner.Start();

  config::PartnerConfig acme;
  acme.id = "ACME";
  acme.name = "Acme Supply Co.";
  acme.documents = {"850", "855", "810", "997"};
  acme.expect_997_within = std::chrono::hours(24);
  config::PartnerConfig globex = acme;
  globex.id = "GLOBEX";
  globex.name = "Globex Industrial";
  globex.documents = {"810", "997"};

  server::OpsServerOptions o;
  o.host = "127.0.0.1";
  o.console = std::make_shared<server::ConsoleApi>(
      st, &runner, std::vector<config::PartnerConfig>{acme, globex}, clock);
  server::Metrics metrics;
  server::OpsServer http(std::move(o), &metrics);
  if (Status s = http.Start(); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  std::cout << "PORT " << http.port() << std::endl;
  // Serve until the test closes our stdin.
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  http.Stop();
  runner.Stop();
  return 0;
}
