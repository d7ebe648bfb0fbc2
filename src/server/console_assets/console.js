// ml-connector ops console: a small hash-routed page over the JSON API under /api/.
// Every piece of data reaches the DOM through textContent or createTextNode (el() below);
// nothing is ever assigned to innerHTML.
'use strict';

const STATES = ['', 'pending', 'in_flight', 'retry_wait', 'parked', 'done'];
const TYPES = ['', '850', '855', '856', '810', '997', '999'];

// el('td', {class: 'num'}, 'text', childNode, ...): builds an element; strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'onclick' || k === 'onsubmit' || k === 'ontoggle') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function fmtTime(iso) {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC');
}

function badge(text) { return el('span', {class: 'badge ' + text}, text.replace('_', ' ')); }

async function api(path, options) {
  const opts = Object.assign({credentials: 'same-origin'}, options || {});
  opts.headers = Object.assign({'Accept': 'application/json', 'X-MLC-Console': '1'}, opts.headers || {});
  const res = await fetch(path, opts);
  const text = await res.text();
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { const j = JSON.parse(text); if (j.error) msg = j.error.code + ': ' + j.error.message; } catch (_) { /* not JSON */ }
    throw new Error(msg);
  }
  return (res.headers.get('Content-Type') || '').startsWith('application/json') ? JSON.parse(text) : text;
}

function notice(text, isError) {
  const n = document.getElementById('notice');
  n.textContent = text;
  n.className = isError ? 'error' : '';
  n.hidden = !text;
}

function main() { return document.getElementById('main'); }

function show(...nodes) {
  main().replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
}

function table(headers, rows, emptyText) {
  if (rows.length === 0) return el('div', {class: 'empty'}, emptyText);
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
}

function docLink(d) { return el('a', {href: '#/documents/' + d.id}, '#' + d.id); }

function errorCell(e) {
  if (!e) return el('td', {});
  return el('td', {class: 'reason'}, el('span', {class: 'error-text'}, e.code), ' ', e.message);
}

// --- documents -----------------------------------------------------------------------------

async function viewDocuments(params) {
  const filters = ['partner', 'type', 'state', 'flow', 'q', 'since', 'until'];
  const form = el('form', {class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const f of filters) { const v = form.elements[f].value.trim(); if (v) p.set(f, v); }
    location.hash = '#/documents' + (p.toString() ? '?' + p.toString() : '');
  }},
  el('label', {}, 'PO or invoice number', el('input', {name: 'q', value: params.get('q') || ''})),
  el('label', {}, 'Partner', el('input', {name: 'partner', value: params.get('partner') || ''})),
  el('label', {}, 'Type', el('select', {name: 'type'}, TYPES.map((t) => el('option', {value: t, selected: params.get('type') === t}, t || 'any')))),
  el('label', {}, 'State', el('select', {name: 'state'}, STATES.map((s) => el('option', {value: s, selected: params.get('state') === s}, s || 'any')))),
  el('label', {}, 'Flow', el('input', {name: 'flow', value: params.get('flow') || ''})),
  el('label', {}, 'Since', el('input', {name: 'since', type: 'date', value: params.get('since') || ''})),
  el('label', {}, 'Until', el('input', {name: 'until', type: 'date', value: params.get('until') || ''})),
  el('button', {type: 'submit'}, 'Filter'),
  el('button', {type: 'button', class: 'secondary', onclick: () => { location.hash = '#/documents'; }}, 'Clear'));

  const q = new URLSearchParams(params);
  const data = await api('/api/documents?' + q.toString());
  const rows = data.documents.map((d) => el('tr', {'data-id': d.id},
    el('td', {}, docLink(d)),
    el('td', {}, d.type),
    el('td', {}, d.partner),
    el('td', {}, d.po_number),
    el('td', {}, d.invoice_number),
    el('td', {}, d.flow),
    el('td', {}, d.step),
    el('td', {}, badge(d.state)),
    el('td', {}, fmtTime(d.updated_at)),
    errorCell(d.last_error)));
  const pager = el('div', {class: 'pager'});
  if (params.get('after_id')) {
    pager.appendChild(el('button', {class: 'secondary', onclick: () => { const p = new URLSearchParams(params); p.delete('after_id'); location.hash = '#/documents?' + p.toString(); }}, 'First page'));
  }
  if (data.next_after_id !== null) {
    pager.appendChild(el('button', {class: 'secondary', onclick: () => { const p = new URLSearchParams(params); p.set('after_id', data.next_after_id); location.hash = '#/documents?' + p.toString(); }}, 'Next page'));
  }
  show(el('h1', {}, 'Documents'), form,
    table(['Id', 'Type', 'Partner', 'PO', 'Invoice', 'Flow', 'Step', 'State', 'Updated', 'Last error'], rows, 'No documents match.'),
    pager);
}

function payloadText(p, text) {
  // X12 without line breaks: one segment per line (the terminator follows ISA16, offset 105).
  if (p.media_type === 'application/edi-x12' && text.startsWith('ISA') && text.length > 106 && text.indexOf('\n') < 0) {
    const term = text.charAt(105);
    return text.split(term).filter((s) => s.length > 0).map((s) => s + term).join('\n');
  }
  if (p.media_type === 'application/json') {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* show as stored */ }
  }
  return text;
}

async function viewDocument(id) {
  const data = await api('/api/documents/' + encodeURIComponent(id));
  const d = data.document;
  const summary = el('dl', {class: 'summary'},
    el('dt', {}, 'State'), el('dd', {id: 'doc-state'}, badge(d.state)),
    el('dt', {}, 'Type'), el('dd', {}, d.type + ' (' + d.direction + ')'),
    el('dt', {}, 'Partner'), el('dd', {}, d.partner),
    el('dt', {}, 'Flow / step'), el('dd', {}, d.flow + ' / ' + d.step),
    el('dt', {}, 'PO number'), el('dd', {}, d.po_number || '—'),
    el('dt', {}, 'Invoice number'), el('dd', {}, d.invoice_number || '—'),
    el('dt', {}, 'Control numbers'), el('dd', {}, [d.control.isa13, d.control.gs06, d.control.st02].filter(Boolean).join(' / ') || '—'),
    el('dt', {}, 'Attempts'), el('dd', {}, String(d.attempts)),
    el('dt', {}, 'Created / updated'), el('dd', {}, fmtTime(d.created_at) + ' / ' + fmtTime(d.updated_at)),
    d.last_error ? el('dt', {}, 'Last error') : null,
    d.last_error ? el('dd', {class: 'error-text'}, d.last_error.code + ': ' + d.last_error.message) : null);
  const actions = el('div', {class: 'actions'});
  if (d.state === 'parked' || d.state === 'retry_wait') {
    actions.appendChild(el('button', {id: 'replay', onclick: () => replay(d.id, () => route())}, 'Replay'));
  }
  const timeline = data.timeline.map((e) => el('tr', {},
    el('td', {}, fmtTime(e.at)),
    el('td', {}, badge(e.event)),
    el('td', {}, e.step),
    el('td', {}, e.actor),
    el('td', {}, e.detail),
    errorCell(e.error)));
  const payloads = data.payloads.map((p) => {
    const pre = el('pre', {}, 'loading…');
    let loaded = false;
    const load = async () => {
      if (loaded) return;
      loaded = true;
      try {
        const text = await api('/api/documents/' + d.id + '/payloads/' + encodeURIComponent(p.step) + '/' + encodeURIComponent(p.kind));
        pre.textContent = payloadText(p, text);
      } catch (err) { pre.textContent = 'could not load: ' + err.message; }
    };
    // Small payloads open at once; large ones load when opened.
    const open = p.size <= 65536;
    const det = el('details', {class: 'payload', open, ontoggle: () => { if (det.open) load(); }},
      el('summary', {}, el('strong', {}, p.step + ' · ' + p.kind), ' ', el('span', {class: 'muted'}, p.media_type + ', ' + p.size + ' bytes, ' + fmtTime(p.created_at))),
      pre);
    if (open) load();
    return det;
  });
  show(el('h1', {}, 'Document #' + d.id + ' — ' + d.type + ' ' + (d.po_number || d.invoice_number || '')),
    summary, actions,
    el('h2', {}, 'Timeline'),
    table(['Time', 'Event', 'Step', 'Actor', 'Detail', 'Error'], timeline, 'No audit events.'),
    el('h2', {}, 'Payloads'),
    payloads.length ? el('div', {}, payloads) : el('div', {class: 'empty'}, 'No payloads stored.'));
}

async function replay(id, after) {
  const reason = 'replayed from the console';
  try {
    const r = await api('/api/documents/' + id + '/replay', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({reason})});
    notice('Document #' + id + ' replayed by ' + r.actor + ': now ' + r.document.state + ' at step ' + r.document.step + '.', false);
    return after(r);
  } catch (err) {
    notice('Replay of #' + id + ' failed: ' + err.message, true);
  }
}

// --- parked --------------------------------------------------------------------------------

async function viewParked() {
  const data = await api('/api/parked?limit=500');
  const rows = data.documents.map((d) => {
    const stateCell = el('td', {class: 'state'}, badge(d.state));
    const button = el('button', {onclick: () => replay(d.id, (r) => {
      stateCell.replaceChildren(badge(r.document.state));
      button.disabled = true;
    })}, 'Replay');
    return el('tr', {'data-id': d.id},
      el('td', {}, docLink(d)),
      el('td', {}, d.partner),
      el('td', {}, d.type),
      el('td', {}, d.po_number || d.invoice_number),
      el('td', {}, d.flow + ' / ' + d.step),
      errorCell(d.last_error),
      el('td', {}, fmtTime(d.updated_at)),
      el('td', {class: 'num'}, String(d.attempts)),
      stateCell,
      el('td', {}, button));
  });
  show(el('h1', {}, 'Parked exceptions'),
    el('p', {class: 'muted'}, 'Documents that need a person. Fix the cause (mapping, partner data, config), then replay: the document goes back to pending at the same step.'),
    table(['Id', 'Partner', 'Type', 'PO / invoice', 'Flow / step', 'Reason', 'Parked since', 'Attempts', 'State', ''], rows, 'Nothing is parked.'));
}

// --- partners ------------------------------------------------------------------------------

async function viewPartners() {
  const data = await api('/api/partners');
  const rows = [];
  for (const p of data.partners) {
    const a = p.ack;
    rows.push(el('tr', {class: a.status === 'overdue' ? 'overdue' : null, 'data-id': p.id},
      el('td', {}, el('strong', {}, p.id), el('div', {class: 'muted'}, p.name)),
      el('td', {}, p.documents.join(', ')),
      el('td', {}, p.expect_997_within_seconds ? p.expect_997_within : 'not expected'),
      el('td', {class: 'num'}, String(a.sent)),
      el('td', {class: 'num'}, String(a.acknowledged)),
      el('td', {class: 'num'}, String(a.awaiting)),
      el('td', {class: 'num'}, String(a.overdue)),
      el('td', {}, badge(a.status))));
  }
  const overdue = [];
  for (const p of data.partners) {
    for (const u of p.ack.unacknowledged) {
      if (!u.overdue) continue;
      overdue.push(el('tr', {class: 'overdue'},
        el('td', {}, p.id), el('td', {}, el('a', {href: '#/documents/' + u.document_id}, '#' + u.document_id)),
        el('td', {}, u.po_number), el('td', {}, fmtTime(u.sent_at)), el('td', {}, u.age)));
    }
  }
  const windowDays = data.partners.length ? data.partners[0].ack.window_days : 30;
  show(el('h1', {}, 'Partners'),
    el('p', {class: 'muted'}, '997 status of the 850s and 860s sent in the last ' + windowDays + ' days (as of ' + fmtTime(data.now) + ').'),
    table(['Partner', 'Documents', '997 expected within', '850s/860s sent', 'Acknowledged', 'Awaiting', 'Overdue', '997 status'], rows, 'No partners configured.'),
    el('h2', {}, 'Overdue acknowledgments'),
    table(['Partner', 'Document', 'PO', 'Sent', 'Age'], overdue, 'None overdue.'));
}

// --- flows ---------------------------------------------------------------------------------

async function viewFlows() {
  const data = await api('/api/flows');
  const rows = data.flows.map((f) => {
    const last = f.last_status;
    const summary = Object.entries(f.last_summary.counts).map(([k, v]) => k + ' ' + v).join(', ');
    return el('tr', {'data-name': f.name},
      el('td', {}, el('strong', {}, f.name)),
      el('td', {}, f.schedule),
      el('td', {}, f.running ? badge('in_flight') : ''),
      el('td', {class: 'num'}, String(f.runs)),
      el('td', {class: 'num'}, String(f.failures)),
      el('td', {}, fmtTime(f.last_start)),
      el('td', {}, fmtTime(f.last_end)),
      el('td', {}, last === null ? el('span', {class: 'muted'}, 'never run') : (last.ok ? badge('ok') : el('span', {class: 'error-text'}, last.code + ': ' + last.message)),
        summary ? el('div', {class: 'muted'}, summary) : null),
      el('td', {}, fmtTime(f.next_due)),
      el('td', {}, el('button', {onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await api('/api/flows/' + encodeURIComponent(f.name) + '/run', {method: 'POST'});
          notice('Flow ' + f.name + ' triggered; it runs as soon as it is idle.', false);
          setTimeout(route, 1000);
        } catch (err) { notice('Could not trigger ' + f.name + ': ' + err.message, true); ev.target.disabled = false; }
      }}, 'Run now')));
  });
  show(el('h1', {}, 'Flows'),
    data.runner ? null : el('p', {class: 'muted'}, 'No flow runner in this process.'),
    table(['Flow', 'Schedule', '', 'Runs', 'Failures', 'Last start', 'Last end', 'Last result', 'Next due', ''], rows, 'No flows.'));
}

// --- routing -------------------------------------------------------------------------------

async function route() {
  const hash = location.hash || '#/documents';
  const [path, query] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const view = parts[0] || 'documents';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === view);
  try {
    if (view === 'documents' && parts[1]) await viewDocument(parts[1]);
    else if (view === 'parked') await viewParked();
    else if (view === 'partners') await viewPartners();
    else if (view === 'flows') await viewFlows();
    else await viewDocuments(new URLSearchParams(query || ''));
    document.body.dataset.loaded = view;
  } catch (err) {
    show(el('h1', {}, 'Error'), el('p', {class: 'error-text'}, err.message));
    document.body.dataset.loaded = 'error';
  }
}

window.addEventListener('hashchange', () => { notice('', false); route(); });
route();
