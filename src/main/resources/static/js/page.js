// Wires the scan page: the form starts scans, EventSource follows them, the URL makes them
// shareable and reload-safe, and finished scans offer their results (results-view.js). When the
// server asks for a bearer token, fetch calls send it and EventSource uses short-lived,
// scan-bound tickets instead, since it cannot send headers and a token must never sit in a URL.

import { ScanView } from './scan-view.js';
import { ResultsView } from './results-view.js';
import { SchedulesView } from './schedules-view.js';
import { ScanPicture } from './scan-picture.js';
import { WorkerEventSource } from './event-stream.js';
import * as format from './format.js';

/** Scan options that the form, a link's query string and the JSON body share. */
const OPTIONS = ['targets', 'ports', 'concurrency', 'timeout', 'retries', 'rate', 'report', 'order', 'seed', 'detect'];
const ADVANCED = ['concurrency', 'timeout', 'retries', 'rate', 'report', 'order', 'seed', 'detect'];
const RECENT_SHOWN = 10;
const TOKEN_KEY = 'portflux.token';
/** Fresh tickets tried for one scan before the page gives up on its stream. */
const MAX_TICKET_RETRIES = 3;

const $ = id => document.getElementById(id);
const form = $('scan-form');
const scanButton = $('scan-button');
const formError = $('form-error');
const cancelButton = $('cancel-button');
const view = new ScanView(document);
const results = new ResultsView(document, { authHeaders, authRequired: () => authRequired });
const picture = new ScanPicture(document, $('picture'));
/** A schedule's run opened from the Schedules view: its scan, and the scan to diff it against once it shows. */
let pendingDiff = null;

/** The scan being shown: its id and its event stream; replaced whenever another scan is opened. */
let current = null;
/** Whether the server wants a bearer token; learnt from /api/config or from a 401. */
let authRequired = false;
const tokenInput = $('token');
tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
tokenInput.addEventListener('change', () => {
  saveToken();
  clearProblem();
  loadRecent();
  schedules.load();
  // A scan whose stream was refused for want of a token gets another try with the new one.
  if (current && view.statusName === 'unauthorized') open(current.id, { fillForm: current.fill });
});

form.addEventListener('submit', event => {
  event.preventDefault();
  start();
});
cancelButton.addEventListener('click', cancel);
$('recent-refresh').addEventListener('click', () => loadRecent());
// Leaving the page closes the stream at once instead of leaving it to the browser's teardown.
window.addEventListener('pagehide', () => current?.events?.close());
// A run clicked in the Schedules view opens as any scan does, then compares itself with its base run.
const schedules = new SchedulesView(document, { authHeaders, ready: () => !authRequired || tokenInput.value.trim() !== '' },
  (scanId, base) => {
    pendingDiff = base ? { scan: scanId, base } : null;
    open(scanId, { fillForm: false });
    $('live').focus();
  });

init();

async function init() {
  await loadConfig();
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
  schedules.load();
}

async function loadConfig() {
  try {
    const response = await fetch('/api/config', { headers: { Accept: 'application/json' } });
    if (response.ok && (await response.json()).authRequired) requireAuth();
  } catch {
    // An older server has no /api/config; a 401 later still brings the token field up.
  }
}

function requireAuth() {
  authRequired = true;
  $('auth-field').hidden = false;
}

function saveToken() {
  const token = tokenInput.value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  return token;
}

/** {@code headers} plus the bearer token, when there is one. */
function authHeaders(headers = {}) {
  const token = saveToken();
  return token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
}

/** Brings the token field up after a 401, so the refusal explains itself. */
function refusedForToken(problem) {
  requireAuth();
  return { ...problem, field: 'token', detail: `${tokenInput.value.trim() ? 'The access token was refused' : 'This server needs an access token'}: ${problem.detail}` };
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
      headers: authHeaders({ 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' }),
      body: JSON.stringify(formRequest()),
    });
    if (!response.ok) {
      const problem = await problemOf(response);
      showProblem(response.status === 401 ? refusedForToken(problem) : problem);
      return;
    }
    const created = await response.json();
    // With auth on, links.events carries the ticket that the answer brought for this scan.
    open(created.id, { fillForm: false, eventsUrl: created.links?.events });
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
function open(id, { fillForm: fill, eventsUrl }) {
  close();
  const mine = { id, events: null, snapshot: null, fill, lastEventId: null, ticketRetries: 0 };
  current = mine;
  view.reset(id);
  picture.reset();
  history.replaceState(null, '', `?scan=${encodeURIComponent(id)}`);
  markRecent();
  cancelButton.hidden = true;
  connect(mine, eventsUrl);
}

/**
 * Opens the scan's event stream, resuming after the last event seen. With auth on, the URL
 * carries a ticket: the one given, or a fresh one asked for with the token.
 */
async function connect(mine, eventsUrl) {
  let url = eventsUrl;
  if (!url && authRequired) {
    url = await ticketUrl(mine);
    if (!url) return;
  }
  url ??= `${api(mine.id)}/events`;
  if (mine.lastEventId) url += `${url.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(mine.lastEventId)}`;
  if (current !== mine) return;
  const events = new WorkerEventSource(url);
  mine.events = events;
  for (const type of ['started', 'port', 'service', 'progress']) {
    events.addEventListener(type, e => {
      if (current !== mine) return;
      mine.lastEventId = e.lastEventId;
      const data = JSON.parse(e.data);
      view.enqueue(type, data, e.lastEventId);
      picture.enqueue(type, data);
      if (type === 'started') {
        cancelButton.hidden = false;
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
    picture.enqueue('done', done);
    cancelButton.hidden = true;
    finish(mine, done);
  });
  events.addEventListener('open', () => {
    mine.ticketRetries = 0;
    if (current === mine && view.statusName === 'reconnecting') {
      view.setStatus('running', `Scan ${mine.id.slice(0, 8)}: running`);
    }
  });
  events.addEventListener('error', () => {
    if (current !== mine || view.finished) return;
    if (events.readyState === EventSource.CLOSED) {
      if (authRequired && mine.ticketRetries < MAX_TICKET_RETRIES) {
        // Most likely the ticket expired before this reconnect (a 401 closes EventSource for
        // good): ask for a fresh one and resume after the last event seen.
        mine.ticketRetries += 1;
        view.setStatus('reconnecting', `Scan ${mine.id.slice(0, 8)}: connection lost, reconnecting`);
        connect(mine);
        return;
      }
      // EventSource gives up only on a non-SSE answer, such as a 404 for an unknown or evicted
      // scan, and it does not say why; the snapshot request brings back the problem detail.
      cancelButton.hidden = true;
      explainRefusal(mine);
    } else {
      // EventSource reconnects by itself and sends Last-Event-ID, so nothing is lost or repeated.
      view.setStatus('reconnecting', `Scan ${mine.id.slice(0, 8)}: connection lost, reconnecting`);
    }
  });
}

/** The events URL of {@code scan} with a fresh ticket, or null (with the reason shown) when refused. */
async function ticketUrl(scan) {
  const response = await fetch(`${api(scan.id)}/tickets`, {
    method: 'POST',
    headers: authHeaders({ Accept: 'application/json, application/problem+json' }),
  }).catch(() => null);
  if (response && response.ok) return (await response.json()).events;
  if (current === scan) await explainRefusal(scan, response);
  return null;
}

async function explainRefusal(scan, refusal) {
  const response = refusal ?? await fetch(api(scan.id), { headers: authHeaders({ Accept: 'application/json' }) }).catch(() => null);
  if (current !== scan) return;
  const short = scan.id.slice(0, 8);
  cancelButton.hidden = true;
  if (response && response.status === 401) {
    view.setStatus('unauthorized', `Scan ${short}: needs an access token`);
    const problem = refusedForToken(await problemOf(response));
    view.showMessage(problem.detail);
    showProblem(problem);
  } else if (response && response.status === 404) {
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
  current = null;
  results.hide();
}

async function finish(scan, done) {
  let snapshot = null;
  try {
    const response = await fetch(api(scan.id), { headers: authHeaders({ Accept: 'application/json' }) });
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
  const diff = pendingDiff?.scan === scan.id ? pendingDiff : null;
  pendingDiff = null;
  results.show(scan.id).then(() => diff && current === scan && results.compareWith(diff.base));
  loadRecent();
}

async function cancel() {
  if (!current) return;
  cancelButton.disabled = true;
  try {
    const response = await fetch(api(current.id), { method: 'DELETE', headers: authHeaders({ Accept: 'application/json' }) });
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
    const response = await fetch('/api/scans', { headers: authHeaders({ Accept: 'application/json' }) });
    if (response.status === 401) {
      // No list without a token; the field comes up, and entering a token reloads the list.
      requireAuth();
      return;
    }
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
