// Wires the scan page: the form starts scans, EventSource follows them, the URL makes them
// shareable and reload-safe, and finished scans offer their results as JSON and CSV.

import { ScanView } from './scan-view.js';
import { blobUrl, toCsv, toJson } from './exports.js';
import * as format from './format.js';

/** Scan options that the form, a link's query string and the JSON body share. */
const OPTIONS = ['targets', 'ports', 'concurrency', 'timeout', 'retries', 'rate', 'report', 'order', 'seed'];
const ADVANCED = ['concurrency', 'timeout', 'retries', 'rate', 'report', 'order', 'seed'];
const RECENT_SHOWN = 10;

const $ = id => document.getElementById(id);
const form = $('scan-form');
const scanButton = $('scan-button');
const formError = $('form-error');
const cancelButton = $('cancel-button');
const downloadJson = $('download-json');
const downloadCsv = $('download-csv');
const view = new ScanView(document);

/** The scan being shown: its id and its event stream; replaced whenever another scan is opened. */
let current = null;

form.addEventListener('submit', event => {
  event.preventDefault();
  start();
});
cancelButton.addEventListener('click', cancel);
$('recent-refresh').addEventListener('click', () => loadRecent());
// Leaving the page closes the stream at once instead of leaving it to the browser's teardown.
window.addEventListener('pagehide', () => current?.events?.close());

init();

function init() {
  const params = new URLSearchParams(location.search);
  fillForm(params);
  const scan = params.get('scan');
  if (scan) {
    open(scan, { fillForm: true });
  } else if (params.get('autostart') === 'true') {
    start();
  } else {
    loadRecent();
  }
}

function fillForm(params) {
  for (const name of OPTIONS) {
    if (!params.has(name)) continue;
    const value = params.get(name);
    if (name === 'report') {
      $('report-all').checked = value === 'all';
    } else {
      $(name).value = value;
    }
  }
  if (ADVANCED.some(name => params.has(name))) $('advanced').open = true;
}

function formRequest() {
  const body = {};
  for (const name of OPTIONS) {
    if (name === 'report') continue;
    const value = $(name).value.trim();
    if (value !== '') body[name] = value;
  }
  if ($('report-all').checked) body.report = 'all';
  return body;
}

async function start() {
  clearProblem();
  scanButton.disabled = true;
  scanButton.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch('/api/scans', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
      body: JSON.stringify(formRequest()),
    });
    if (!response.ok) {
      showProblem(await problemOf(response));
      return;
    }
    const created = await response.json();
    open(created.id, { fillForm: false });
    // In the one-column layout the results sit below the form, out of sight.
    if (matchMedia('(max-width: 820px)').matches) $('live').scrollIntoView({ block: 'start' });
  } catch (error) {
    showProblem({ detail: `Could not reach the server: ${error.message}` });
  } finally {
    scanButton.disabled = false;
    scanButton.removeAttribute('aria-busy');
  }
}

/** Shows scan {@code id}: replays its events from the first one, then follows it live. */
function open(id, { fillForm: fill }) {
  close();
  const mine = { id, events: null, snapshot: null, urls: [], progressed: false, fill };
  current = mine;
  view.reset(id);
  history.replaceState(null, '', `?scan=${encodeURIComponent(id)}`);
  markRecent();
  cancelButton.hidden = true;
  const events = new EventSource(`${api(id)}/events`);
  mine.events = events;
  for (const type of ['started', 'port', 'progress']) {
    events.addEventListener(type, e => {
      if (current !== mine) return;
      view.enqueue(type, JSON.parse(e.data), e.lastEventId);
      if (type === 'started') cancelButton.hidden = false;
      if (type === 'progress' && !mine.progressed) {
        // The server answers 500 to GET /api/scans while any scan has yet to send its first
        // progress event (BackgroundScan.snapshot unboxes a null elapsedMs), so the list waits.
        mine.progressed = true;
        loadRecent();
      }
    });
  }
  events.addEventListener('done', e => {
    // The server ends the stream after done; without close() EventSource would reconnect.
    events.close();
    if (current !== mine) return;
    const done = JSON.parse(e.data);
    view.enqueue('done', done, e.lastEventId);
    cancelButton.hidden = true;
    finish(mine, done);
  });
  events.addEventListener('open', () => {
    if (current === mine && view.statusName === 'reconnecting') {
      view.setStatus('running', `Scan ${id.slice(0, 8)}: running`);
    }
  });
  events.addEventListener('error', () => {
    if (current !== mine || view.finished) return;
    if (events.readyState === EventSource.CLOSED) {
      // EventSource gives up only on a non-SSE answer, such as a 404 for an unknown or evicted
      // scan, and it does not say why; the snapshot request brings back the problem detail.
      cancelButton.hidden = true;
      explainRefusal(mine);
    } else {
      // EventSource reconnects by itself and sends Last-Event-ID, so nothing is lost or repeated.
      view.setStatus('reconnecting', `Scan ${id.slice(0, 8)}: connection lost, reconnecting`);
    }
  });
}

async function explainRefusal(scan) {
  const response = await fetch(api(scan.id), { headers: { Accept: 'application/json' } }).catch(() => null);
  if (current !== scan) return;
  const short = scan.id.slice(0, 8);
  if (response && response.status === 404) {
    view.setStatus('missing', `Scan ${short}: not found`);
    view.showMessage((await problemOf(response)).detail);
  } else {
    view.setStatus('failed', `Scan ${short}: event stream refused; failed`);
    view.showMessage(response ? (await problemOf(response)).detail : 'Could not reach the server.');
  }
}

function close() {
  if (!current) return;
  current.events?.close();
  for (const url of current.urls) URL.revokeObjectURL(url);
  current = null;
  downloadJson.hidden = true;
  downloadCsv.hidden = true;
  downloadJson.removeAttribute('href');
  downloadCsv.removeAttribute('href');
}

async function finish(scan, done) {
  let snapshot = null;
  try {
    const response = await fetch(api(scan.id), { headers: { Accept: 'application/json' } });
    if (response.ok) snapshot = await response.json();
  } catch {
    // The done event carries what the downloads need, so a failed snapshot request is no loss.
  }
  if (current !== scan) return;
  snapshot ??= { id: scan.id, ...done };
  scan.snapshot = snapshot;
  // A scan opened from a link or the list fills the form, ready to be tweaked and run again.
  if (scan.fill && snapshot.request) {
    fillForm(new URLSearchParams({ ports: 'top-1000', report: 'open', ...definedOnly(snapshot.request) }));
  }
  const json = blobUrl(toJson(snapshot, view.rtts), 'application/json');
  const csv = blobUrl(toCsv(snapshot, view.rtts), 'text/csv');
  scan.urls.push(json, csv);
  link(downloadJson, json, `portflux-${scan.id}.json`);
  link(downloadCsv, csv, `portflux-${scan.id}.csv`);
  loadRecent();
}

function link(anchor, href, filename) {
  anchor.href = href;
  anchor.download = filename;
  anchor.hidden = false;
}

async function cancel() {
  if (!current) return;
  cancelButton.disabled = true;
  try {
    const response = await fetch(api(current.id), { method: 'DELETE', headers: { Accept: 'application/json' } });
    // The cancelled done event arrives on the stream; only a refusal needs showing here.
    if (!response.ok) view.showMessage((await problemOf(response)).detail);
  } catch (error) {
    view.showMessage(`Could not cancel: ${error.message}`);
  } finally {
    cancelButton.disabled = false;
  }
}

async function loadRecent(retried = false) {
  let scans;
  try {
    const response = await fetch('/api/scans', { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      // A 5xx may be passing (a scan between start and first progress); one later try is enough.
      if (response.status >= 500 && !retried) setTimeout(() => loadRecent(true), 1500);
      return;
    }
    scans = await response.json();
  } catch {
    return;
  }
  const list = $('recent');
  const items = scans.slice(0, RECENT_SHOWN).map(scan => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'recent-item';
    button.dataset.scan = scan.id;
    const title = document.createElement('span');
    title.className = 'recent-title';
    title.textContent = `${scan.request?.targets ?? '?'} · ${scan.request?.ports ?? 'top-1000'}`;
    const meta = document.createElement('span');
    meta.className = 'recent-meta';
    meta.textContent = `${scan.status} · ${format.count(scan.open)} open · ${format.when(scan.startedAt)}`;
    const state = document.createElement('span');
    state.className = `dot ${scan.status}`;
    state.setAttribute('aria-hidden', 'true');
    button.append(state, title, meta);
    button.addEventListener('click', () => {
      open(scan.id, { fillForm: true });
      $('live').focus();
    });
    li.appendChild(button);
    return li;
  });
  list.replaceChildren(...items);
  $('recent-empty').hidden = items.length > 0;
  markRecent();
}

function markRecent() {
  for (const button of document.querySelectorAll('#recent .recent-item')) {
    if (current && button.dataset.scan === current.id) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

/** The problem detail of a refused request, or a stand-in when the body is not one. */
async function problemOf(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): the status line is all there is.
  }
  if (!problem.detail) problem.detail = `${response.status} ${response.statusText || 'request refused'}`;
  const retry = response.headers.get('Retry-After');
  if (response.status === 429 && retry) problem.detail += ` (retry in ${retry} s)`;
  return problem;
}

function showProblem(problem) {
  formError.textContent = problem.detail;
  formError.hidden = false;
  const field = problem.field && document.getElementById(problem.field === 'report' ? 'report-all' : problem.field);
  if (field && form.contains(field)) {
    field.setAttribute('aria-invalid', 'true');
    if (ADVANCED.includes(problem.field)) $('advanced').open = true;
    field.focus();
  }
}

function clearProblem() {
  formError.hidden = true;
  formError.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function definedOnly(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v != null && v !== ''));
}

function api(id) {
  return `/api/scans/${encodeURIComponent(id)}`;
}
