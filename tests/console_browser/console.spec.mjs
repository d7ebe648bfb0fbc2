// The ops console in Debian's headless Chromium, driven by playwright-core.
//   node console.spec.mjs --server BIN --modules DIR --out DIR --work DIR
// Starts BIN (console_browser_server: a seeded SQLite store, console on 127.0.0.1:0), then:
// lists documents, filters them, opens one (timeline, raw X12), replays the parked one and checks
// the page shows its new state, checks the partners page highlights the overdue 997 and the flows
// page runs a flow now. A screenshot of each page goes to --out. Exit 0 = passed.
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import {parseArgs} from 'node:util';

const {values: args} = parseArgs({options: {
  server: {type: 'string'}, modules: {type: 'string'}, out: {type: 'string'}, work: {type: 'string'},
}});
const require = createRequire(path.join(args.modules, 'package.json'));
const {chromium} = require('playwright-core');

let failures = 0;
function check(cond, what) {
  console.log((cond ? 'ok   ' : 'FAIL ') + what);
  if (!cond) failures++;
}

function startServer() {
  const proc = spawn(args.server, [path.join(args.work, 'console.db')], {stdio: ['pipe', 'pipe', 'inherit']});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not print its port in 30 s')), 30000);
    proc.on('exit', (code) => reject(new Error('server exited with ' + code)));
    readline.createInterface({input: proc.stdout}).on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) { clearTimeout(timer); resolve({proc, port: Number(m[1])}); }
    });
  });
}

async function shot(page, name) {
  const shown = await page.locator('main').innerText();
  check(!/\b(null|undefined|NaN)\b|\[object /.test(shown), name + ': no null/undefined/NaN rendered');
  const file = path.join(args.out, name + '.png');
  await page.screenshot({path: file, fullPage: true});
  console.log('     screenshot ' + file);
}

async function text(locator) { return (await locator.textContent()) || ''; }

async function main() {
  const {proc, port} = await startServer();
  const base = `http://127.0.0.1:${port}`;
  // The flags from RECIPES.md. Playwright adds --headless and --user-data-dir itself (a fresh
  // profile in --work); --no-sandbox because the test may run as root.
  const context = await chromium.launchPersistentContext(path.join(args.work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1360, height: 900},
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push('console: ' + m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.url()}`); });
  page.on('dialog', (d) => { pageErrors.push('dialog opened: ' + d.message()); d.dismiss(); });

  try {
    // --- documents list ---
    await page.goto(base + '/');
    await page.locator('body[data-loaded="documents"]').waitFor();
    const rows = page.locator('main table tbody tr');
    check(await rows.count() === 4, 'documents: 4 rows listed (got ' + await rows.count() + ')');
    const listText = await text(page.locator('main table'));
    for (const po of ['PO-2001', 'PO-2002', 'INV-88']) check(listText.includes(po), 'documents: shows ' + po);
    check(await text(page.locator('tr[data-id="2"] .badge')) === 'parked', 'documents: #2 is parked');
    // The hostile PO number is text, not markup.
    check(listText.includes('<img src=x onerror=alert(1)>PO-2003'), 'documents: markup in data shown as text');
    check(await page.locator('main img').count() === 0, 'documents: no element injected from data');
    await shot(page, '1-documents');

    // --- filter ---
    await page.fill('input[name="q"]', 'INV-88');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length === 1);
    check((await text(rows.first())).includes('GLOBEX'), 'filter q=INV-88: only the GLOBEX invoice');
    check(page.url().includes('q=INV-88'), 'filter: reflected in the URL');
    await page.selectOption('select[name="state"]', 'parked');
    await page.fill('input[name="q"]', '');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length === 1 &&
      document.querySelector('main table tbody tr').dataset.id === '2');
    check(true, 'filter state=parked: only #2');
    await shot(page, '2-documents-filtered');

    // --- one document: timeline and raw X12 ---
    await page.click('a[data-view="documents"]');
    await page.click('main a[href="#/documents/1"]');
    await page.locator('h1', {hasText: 'Document #1'}).waitFor();
    const timeline = await text(page.locator('main table'));
    for (const ev of ['received', 'mapped', 'sent', 'completed', 'acknowledged']) {
      check(timeline.includes(ev), 'document #1: timeline has ' + ev);
    }
    const x12pre = page.locator('details.payload', {hasText: 'render · output'}).locator('pre');
    await page.waitForFunction(() => [...document.querySelectorAll('details.payload pre')].some((p) => p.textContent.startsWith('ISA*')));
    const x12 = await text(x12pre);
    check(x12.includes('BEG*00*SA*PO-2001**20260102~'), 'document #1: raw X12 shown, one segment per line');
    check(await text(page.locator('#doc-state')) === 'done', 'document #1: state done');
    // The JSON input payload, pretty-printed.
    await page.waitForFunction(() => [...document.querySelectorAll('details.payload pre')].some((p) => p.textContent.includes('"tranId": "PO-2001"')));
    check(true, 'document #1: JSON payload shown (pretty-printed)');
    await shot(page, '3-document');

    // --- parked: replay ---
    await page.click('a[data-view="parked"]');
    await page.locator('body[data-loaded="parked"]').waitFor();
    const parkedRow = page.locator('tr[data-id="2"]');
    await parkedRow.waitFor();
    check((await text(parkedRow)).includes("vendor 'Northwind Metals' (NetSuite id 907) has no trading partner"),
      'parked: shows the reason');
    check(await page.locator('main table tbody tr').count() === 1, 'parked: one parked document');
    await shot(page, '4-parked');
    await parkedRow.locator('button', {hasText: 'Replay'}).click();
    await page.waitForFunction(() => document.querySelector('tr[data-id="2"] td.state')?.textContent === 'pending');
    check(true, 'parked: after replay the row shows pending');
    const notice = await text(page.locator('#notice'));
    check(notice.includes('replayed by console: now pending'), 'parked: notice says "' + notice + '"');
    check(await parkedRow.locator('button').isDisabled(), 'parked: replay button disabled after use');
    await shot(page, '5-parked-replayed');

    // The document page agrees, and its timeline records who replayed it.
    await page.goto(base + '/#/documents/2');
    await page.locator('h1', {hasText: 'Document #2'}).waitFor();
    check(await text(page.locator('#doc-state')) === 'pending', 'document #2: state pending after replay');
    const t2 = await text(page.locator('main table'));
    check(t2.includes('replayed') && t2.includes('console'), 'document #2: timeline has "replayed" by console');
    check(await page.locator('#replay').count() === 0, 'document #2: no replay button once pending');
    await shot(page, '6-document-replayed');

    // --- partners: overdue 997 highlighted ---
    await page.click('a[data-view="partners"]');
    await page.locator('body[data-loaded="partners"]').waitFor();
    const acme = page.locator('tr[data-id="ACME"]');
    check(await acme.getAttribute('class') === 'overdue', 'partners: ACME row highlighted as overdue');
    check(await text(acme.locator('.badge')) === 'overdue', 'partners: ACME 997 status overdue');
    check(await text(page.locator('tr[data-id="GLOBEX"] .badge')) === 'ok', 'partners: GLOBEX ok');
    const overdueList = await text(page.locator('main table').nth(1));
    check(overdueList.includes('#3') && overdueList.includes('2d'), 'partners: overdue list names #3, 2 days old');
    await shot(page, '7-partners');

    // --- flows: schedule and run now ---
    await page.click('a[data-view="flows"]');
    await page.locator('body[data-loaded="flows"]').waitFor();
    const po = page.locator('tr[data-name="po_outbound"]');
    check((await text(po)).includes('every 5m'), 'flows: po_outbound schedule shown');
    check((await text(page.locator('tr[data-name="invoice_inbound"]'))).includes('*/15 * * * *'), 'flows: cron schedule shown');
    check((await text(po)).includes('never run'), 'flows: po_outbound never run yet');
    await po.locator('button', {hasText: 'Run now'}).click();
    await page.waitForFunction(() => /read 2, sent 1/.test(document.querySelector('tr[data-name="po_outbound"]')?.textContent || ''));
    check(true, 'flows: after run now, last result shows the run summary');
    await shot(page, '8-flows');

    check(pageErrors.length === 0, 'no page errors or console errors' + (pageErrors.length ? ': ' + pageErrors.join(' | ') : ''));
  } catch (e) {
    failures++;
    console.log('FAIL ' + e.message);
    await shot(page, 'failure').catch(() => {});
  } finally {
    await context.close();
    proc.stdin.end();
  }
  console.log(failures ? `console_browser: ${failures} check(s) failed` : 'console_browser: all checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
