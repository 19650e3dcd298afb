// The live view of one scan. Events are queued as they arrive and applied to the DOM at most once
// per animation frame, so a 65,535-port scan costs one layout per frame, not one per event.

import * as format from './format.js';

/** Closed and filtered ports listed at most; the counters still count every one. */
const MAX_OTHERS = 200;
/** Work per frame before the rest of the queue waits for the next frame, so input stays snappy. */
const FRAME_BUDGET_MS = 12;
const TERMINAL = new Set(['completed', 'cancelled', 'failed']);

export class ScanView {
  constructor(doc) {
    const $ = id => doc.getElementById(id);
    this.doc = doc;
    this.el = {
      status: $('status'),
      message: $('status-message'),
      progress: $('progress'),
      progressLabel: $('progress-label'),
      scanned: $('c-scanned'),
      open: $('c-open'),
      closed: $('c-closed'),
      filtered: $('c-filtered'),
      errors: $('c-errors'),
      rate: $('s-rate'),
      elapsed: $('s-elapsed'),
      eta: $('s-eta'),
      shards: $('s-shards'),
      tbody: $('open-ports').tBodies[0],
      openCount: $('open-count'),
      openEmpty: $('open-empty'),
      portHeader: $('port-header'),
      others: $('others'),
      othersCount: $('others-count'),
      othersList: $('others-list'),
      othersNote: $('others-note'),
    };
    this.sort = 'none';
    $('sort-port').addEventListener('click', () => this.toggleSort());
    this.reset(null);
  }

  /** Forgets the shown scan; {@code id} is the scan about to be shown, or null. */
  reset(id) {
    this.id = id;
    this.queue = [];
    this.frameRequested = false;
    this.rows = [];
    this.seen = new Set();
    this.byKey = new Map();
    this.arrivals = 0;
    this.othersShown = 0;
    this.othersTotal = 0;
    this.total = 0;
    this.counters = null;
    this.lastEventId = 0;
    this.statusName = null;
    this.replicas = new Set();
    this.el.shards.hidden = true;
    this.el.shards.textContent = '';
    this.el.tbody.replaceChildren();
    this.el.othersList.replaceChildren();
    this.el.others.hidden = true;
    this.el.others.open = false;
    this.el.othersNote.hidden = true;
    this.el.message.hidden = true;
    this.el.message.textContent = '';
    this.renderCounters({ scanned: 0, total: 0, open: 0, closed: 0, filtered: 0, errors: 0, percent: 0 });
    this.renderOpenCount();
    if (id != null) {
      this.setStatus('starting', `Scan ${short(id)}: connecting`);
    }
  }

  /** Shows a status; the line is an aria-live region, so it changes only on real transitions. */
  setStatus(name, text) {
    this.statusName = name;
    this.el.status.dataset.status = name;
    if (this.el.status.textContent !== text) {
      this.el.status.textContent = text;
    }
  }

  showMessage(text) {
    this.el.message.textContent = text ?? '';
    this.el.message.hidden = !text;
  }

  get finished() {
    return TERMINAL.has(this.statusName);
  }

  /** Queues one SSE event; ids at or below the last one applied are replays and are skipped. */
  enqueue(type, data, eventId) {
    const id = Number(eventId);
    if (Number.isFinite(id) && id > 0) {
      if (id <= this.lastEventId) return;
      this.lastEventId = id;
    }
    this.queue.push({ type, data });
    this.requestFrame();
  }

  requestFrame() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    const run = () => this.flush();
    // A hidden tab gets no animation frames; a timer keeps the state current for when it returns.
    if (this.doc.hidden) setTimeout(run, 100); else requestAnimationFrame(run);
  }

  flush() {
    this.frameRequested = false;
    const start = performance.now();
    // Writes alone do not force layout; nothing here reads layout, so the browser lays out once.
    let i = 0;
    for (; i < this.queue.length; i++) {
      if ((i & 255) === 255 && performance.now() - start > FRAME_BUDGET_MS) break;
      const { type, data } = this.queue[i];
      switch (type) {
        case 'started':
          this.applyStarted(data);
          break;
        case 'port':
          if (data.state === 'open') {
            const row = this.addOpen(data);
            if (row) this.insertSorted(row);
          } else {
            this.addOther(data);
          }
          break;
        case 'service':
          this.applyService(data);
          break;
        case 'progress':
          this.counters = data;
          if (data.shards) this.renderShards(data.shards);
          break;
        case 'done':
          this.applyDone(data);
          break;
        default:
          break;
      }
    }
    this.queue = i >= this.queue.length ? [] : this.queue.slice(i);
    if (this.counters) this.renderCounters(this.counters);
    this.renderOpenCount();
    this.renderOthersCount();
    if (this.queue.length) this.requestFrame();
  }

  applyStarted(data) {
    this.total = data.total;
    const hosts = (data.targets ?? []).map(t => t.host && t.host !== t.ip ? `${t.host} (${t.ip})` : (t.ip ?? t.spec));
    const bad = (data.targets ?? []).filter(t => t.error).map(t => `${t.spec}: ${t.error}`);
    this.setStatus('running', `Scan ${short(this.id)} of ${hosts.join(', ') || 'no hosts'}, ${format.count(data.ports)} ports: running`);
    if (bad.length) this.showMessage(bad.join('; '));
    this.counters = { ...(this.counters ?? {}), total: data.total, scanned: this.counters?.scanned ?? 0 };
  }

  applyDone(data) {
    const percent = data.total ? (data.scanned * 100) / data.total : 100;
    this.counters = { ...data, percent, etaMs: null, rate: this.counters?.rate };
    // The done event lists every open port, so a port missed while disconnected still shows up.
    for (const p of data.openPorts ?? []) {
      const row = this.addOpen(p);
      if (row) this.insertSorted(row);
      // done repeats what service events said (without banners): it only fills rows that missed them.
      if (p.method && !this.byKey.get(`${p.ip}|${p.port}`)?.detected) this.applyService(p);
    }
    this.setStatus(data.status, `Scan ${short(this.id)} finished in ${format.duration(data.elapsedMs)}: ${data.status}`);
    if (data.message) this.showMessage(data.message);
  }

  addOpen(p) {
    const key = `${p.ip}|${p.port}`;
    if (this.seen.has(key)) return null;
    this.seen.add(key);
    const tr = this.doc.createElement('tr');
    tr.dataset.port = p.port;
    const cells = [];
    for (const [text, cls] of [[p.host ?? p.ip, ''], [p.ip, 'mono'], [p.port, 'num mono port'],
      [p.service ?? '', 'service guess'], [p.product ?? '', 'product'], [p.version ?? '', 'version'],
      [format.rtt(p.rttMs), 'num']]) {
      const td = this.doc.createElement('td');
      td.textContent = String(text);
      if (cls) td.className = cls;
      tr.appendChild(td);
      cells.push(td);
    }
    const row = { ...p, tr, cells, arrival: this.arrivals++ };
    this.rows.push(row);
    this.byKey.set(key, row);
    return row;
  }

  /**
   * Fills a row's Service, Product and Version from its service event (or from done's open port). A
   * table guess stays marked as a guess; a banner, when there is one, shows on demand under the service.
   */
  applyService(s) {
    const row = this.byKey.get(`${s.ip}|${s.port}`);
    if (!row) return;
    const [service, product, version] = [row.cells[3], row.cells[4], row.cells[5]];
    service.replaceChildren(this.doc.createTextNode(s.service ?? ''));
    service.className = s.method === 'probed' ? 'service' : 'service guess';
    service.title = s.method === 'probed' ? 'detected' : 'guessed from the port number';
    if (s.banner) {
      const details = this.doc.createElement('details');
      details.className = 'banner';
      const summary = this.doc.createElement('summary');
      summary.textContent = 'banner';
      const code = this.doc.createElement('code');
      code.textContent = s.banner;
      details.append(summary, code);
      service.appendChild(details);
    }
    set(product, s.product ?? '');
    set(version, s.version ?? '');
    row.tr.dataset.method = s.method ?? '';
    row.detected = true;
  }

  addOther(p) {
    this.othersTotal++;
    if (this.othersShown >= MAX_OTHERS) return;
    this.othersShown++;
    const li = this.doc.createElement('li');
    li.textContent = `${p.ip}:${p.port} ${p.state} (${p.reason})`;
    li.className = p.state;
    this.el.othersList.appendChild(li);
  }

  compare(a, b) {
    if (this.sort === 'none') return a.arrival - b.arrival;
    const d = a.port - b.port || a.ip.localeCompare(b.ip, 'en', { numeric: true });
    return this.sort === 'ascending' ? d : -d;
  }

  // Keeps rows and the tbody in the current order; a binary search keeps each insert cheap.
  insertSorted(row) {
    this.rows.pop();
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.rows[mid], row) <= 0) lo = mid + 1; else hi = mid;
    }
    const before = this.rows[lo]?.tr ?? null;
    this.rows.splice(lo, 0, row);
    this.el.tbody.insertBefore(row.tr, before);
  }

  toggleSort() {
    this.sort = this.sort === 'ascending' ? 'descending' : 'ascending';
    this.el.portHeader.setAttribute('aria-sort', this.sort);
    this.el.portHeader.querySelector('.sort-mark').textContent = this.sort === 'ascending' ? '▲' : '▼';
    // Rows still in the queue are not in the tbody yet; flush first so every row moves.
    this.flush();
    this.rows.sort((a, b) => this.compare(a, b));
    const fragment = this.doc.createDocumentFragment();
    for (const r of this.rows) fragment.appendChild(r.tr);
    this.el.tbody.appendChild(fragment);
  }

  renderCounters(c) {
    const total = c.total ?? this.total;
    const percent = Math.max(0, Math.min(100, c.percent ?? 0));
    const rounded = Math.round(percent * 10) / 10;
    set(this.el.scanned, `${format.count(c.scanned)} / ${format.count(total)}`);
    set(this.el.open, format.count(c.open));
    set(this.el.closed, format.count(c.closed));
    set(this.el.filtered, format.count(c.filtered));
    set(this.el.errors, format.count(c.errors));
    set(this.el.rate, format.rate(c.rate));
    set(this.el.elapsed, format.duration(c.elapsedMs));
    set(this.el.eta, this.finished ? '–' : format.duration(c.etaMs));
    if (Number(this.el.progress.value) !== rounded) this.el.progress.value = rounded;
    set(this.el.progressLabel, `${rounded}%`);
  }

  /** A scan the replicas share: where its ranges stand, and which replicas work on it. */
  renderShards(s) {
    for (const r of s.replicas ?? []) this.replicas.add(r);
    const cancelled = s.cancelled ?? 0;
    const total = s.done + s.running + s.waiting + cancelled;
    const now = (s.replicas ?? []).length ? `, on ${s.replicas.join(', ')} now` : '';
    const all = [...this.replicas].sort().join(', ');
    this.el.shards.hidden = false;
    set(this.el.shards, s.running + s.waiting === 0
      ? (cancelled === 0
        ? `Shared by ${all || 'the replicas'}: all ${format.count(total)} ranges done.`
        : `Shared by ${all || 'the replicas'}: ${format.count(s.done)} of ${format.count(total)} ranges done, `
          + `${format.count(cancelled)} cancelled.`)
      : `Shared by ${all || 'the replicas'}: ${format.count(s.done)} of ${format.count(total)} ranges done, `
        + `${format.count(s.running)} running${now}, ${format.count(s.waiting)} waiting.`);
  }

  renderOpenCount() {
    set(this.el.openCount, format.count(this.rows.length));
    this.el.openEmpty.hidden = this.rows.length > 0;
    this.el.openEmpty.textContent = this.finished ? 'No open ports found.' : 'No open ports yet.';
  }

  renderOthersCount() {
    if (this.othersTotal === 0) return;
    this.el.others.hidden = false;
    set(this.el.othersCount, format.count(this.othersTotal));
    if (this.othersTotal > this.othersShown) {
      this.el.othersNote.hidden = false;
      set(this.el.othersNote, `Showing the first ${MAX_OTHERS} of ${format.count(this.othersTotal)}; the counters above include all of them.`);
    }
  }
}

function set(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function short(id) {
  return id ? id.slice(0, 8) : '';
}
