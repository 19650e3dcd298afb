// The port map: one canvas pixel per port of one host, a 256 × 256 grid of ports 0-65535 (port =
// row × 256 + column), coloured by state as answers arrive. Answers only write into typed arrays; the
// canvas is drawn at most once per animation frame (by ScanPicture), and there is no DOM node per port.

import * as format from './format.js';

export const SIZE = 256;
const PORTS = SIZE * SIZE;
/** State codes; 0 is a port with no answer yet (or, with report=open, none reported). */
const STATES = ['unprobed', 'open', 'closed', 'filtered', 'error'];
const CODE = { open: 1, closed: 2, filtered: 3, error: 4 };
/** Hosts that get a map of their own; a scan of more hosts still counts the rest in the counters. */
const MAX_HOSTS = 256;
/** Filtered runs at least this long are named in the summary, at most MAX_RANGES of them. */
const MIN_RANGE = 2;
const MAX_RANGES = 8;
/** How far (in cells) a click or a hover on an empty cell reaches for an open port. */
const SNAP = 3;

export class PortMap {
  constructor(doc, root, { onOpenPort, requestFrame }) {
    this.doc = doc;
    this.onOpenPort = onOpenPort;
    this.requestFrame = requestFrame;
    root.insertAdjacentHTML('beforeend', `
      <figure class="map-figure">
        <div class="map-head">
          <h3 id="map-heading">Port map</h3>
          <label class="map-host" hidden>Host <select id="map-host"></select></label>
        </div>
        <div class="map-frame">
          <canvas id="port-map" width="${SIZE}" height="${SIZE}" tabindex="0" role="application"
                  aria-roledescription="port map" aria-labelledby="map-heading"
                  aria-describedby="map-summary map-keys"></canvas>
          <canvas class="map-marks" aria-hidden="true"></canvas>
          <div class="map-cursor" hidden></div>
        </div>
        <p id="map-info" class="map-info" aria-live="polite">Ports 0-65,535, 256 to a row. Hover or focus the map for a port.</p>
        <ul class="map-legend" aria-hidden="true">
          ${STATES.map(s => `<li><span class="swatch ${s}"></span><span data-legend="${s}">${s === 'unprobed' ? 'not yet probed' : s}</span></li>`).join('')}
        </ul>
        <p id="map-summary" class="map-summary"></p>
        <p id="map-keys" class="sr-only">Arrow keys move one port (up and down: 256 ports), Page Up and Page Down 4,096,
          N and P jump to the next or previous open port, Enter shows an open port's row in the table.</p>
      </figure>`);
    const $ = id => doc.getElementById(id);
    this.canvas = $('port-map');
    this.ctx = this.canvas.getContext('2d');
    this.image = this.ctx.createImageData(SIZE, SIZE);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.info = $('map-info');
    this.summary = $('map-summary');
    this.hostSelect = $('map-host');
    this.hostLabel = this.hostSelect.parentElement;
    this.cursor = root.querySelector('.map-cursor');
    // Open ports also get a ring on a canvas of their own, at screen resolution: a lone pixel is easy
    // to miss, and the map itself keeps one pixel per port.
    this.marks = root.querySelector('.map-marks');
    this.marksSize = { width: 0, height: 0 };
    new ResizeObserver(([entry]) => {
      this.marksSize = { width: entry.contentRect.width, height: entry.contentRect.height };
      this.marksDirty = true;
      this.requestFrame();
    }).observe(this.canvas);
    this.legendUnprobed = root.querySelector('[data-legend="unprobed"]');
    this.readPalette();
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      this.readPalette();
      this.repaint();
    });
    this.hostSelect.addEventListener('change', () => this.select(this.hostSelect.value));
    this.canvas.addEventListener('pointermove', e => this.point(e, false));
    this.canvas.addEventListener('pointerleave', () => this.showPort(this.focusPort, this.focused));
    this.canvas.addEventListener('click', e => this.point(e, true));
    this.canvas.addEventListener('keydown', e => this.key(e));
    this.canvas.addEventListener('focus', () => this.showPort(this.focusPort, true));
    this.canvas.addEventListener('blur', () => {
      this.focused = false;
      this.cursor.hidden = true;
    });
    this.reset();
  }

  reset() {
    this.hosts = new Map();
    this.host = null;
    this.report = 'open';
    this.portsPerHost = 0;
    this.scanned = 0;
    this.total = 0;
    this.reasons = [''];
    this.reasonCodes = new Map([['', 0]]);
    this.focusPort = 0;
    this.focused = false;
    this.dirty = true;
    this.marksDirty = true;
    this.summaryDirty = true;
    this.hostSelect.replaceChildren();
    this.hostLabel.hidden = true;
    this.cursor.hidden = true;
    this.pixels.fill(this.palette[0]);
    this.legendUnprobed.textContent = 'not yet probed';
  }

  started(data) {
    this.report = data.report === 'all' ? 'all' : 'open';
    this.portsPerHost = data.ports ?? 0;
    this.total = data.total ?? 0;
    this.legendUnprobed.textContent = this.report === 'all' ? 'not yet probed' : 'not open, or not yet probed';
    // An entry's ip is a block for a CIDR or a range: its hosts join as their answers arrive.
    for (const t of data.targets ?? []) {
      if (t.ip && !/[/-]/.test(t.ip)) this.hostOf(t.ip, t.host);
    }
    this.summaryDirty = true;
  }

  /** One port event (or an open port of done): O(1), and one pixel when it is the shown host's. */
  port(p) {
    const host = this.hostOf(p.ip, p.host);
    if (!host) return;
    const code = CODE[p.state] ?? CODE.error;
    const old = host.states[p.port];
    if (old !== code) {
      host.counts[old]--;
      host.counts[code]++;
      host.states[p.port] = code;
      if (code === CODE.open) host.open.add(p.port);
      else if (old === CODE.open) host.open.delete(p.port);
      if (host === this.host && (code === CODE.open || old === CODE.open)) this.marksDirty = true;
    }
    if (p.reason) host.reasons[p.port] = this.reasonCode(p.reason);
    if (p.service) host.services.set(p.port, p.service);
    if (p.rttMs != null) host.rtts.set(p.port, p.rttMs);
    if (host === this.host) {
      this.pixels[p.port] = this.palette[code];
      this.dirty = true;
      this.summaryDirty = true;
    }
  }

  service(s) {
    const host = this.hosts.get(s.ip);
    if (host && s.service) host.services.set(s.port, [s.service, s.product, s.version].filter(Boolean).join(' '));
  }

  progress(c) {
    this.scanned = c.scanned ?? this.scanned;
    this.total = c.total ?? this.total;
    this.summaryDirty = true;
  }

  /** Draws the shown host's pixels once, if anything changed since the last frame. */
  draw(final) {
    if (this.dirty) {
      this.ctx.putImageData(this.image, 0, 0);
      this.dirty = false;
    }
    if (this.marksDirty) this.drawMarks();
    if (this.summaryDirty && (final || !this.summaryAt || performance.now() - this.summaryAt > 1000)) {
      this.writeSummary();
    }
  }

  drawMarks() {
    this.marksDirty = false;
    const { width, height } = this.marksSize;
    const dpr = window.devicePixelRatio || 1;
    if (this.marks.width !== Math.round(width * dpr) || this.marks.height !== Math.round(height * dpr)) {
      this.marks.width = Math.round(width * dpr);
      this.marks.height = Math.round(height * dpr);
    }
    const ctx = this.marks.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!this.host) return;
    ctx.strokeStyle = this.markColour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (const port of this.host.open) {
      const x = ((port % SIZE) + 0.5) * (width / SIZE);
      const y = (Math.floor(port / SIZE) + 0.5) * (height / SIZE);
      ctx.moveTo(x + 4.5, y);
      ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
    }
    ctx.stroke();
  }

  hostOf(ip, name) {
    let host = this.hosts.get(ip);
    if (host) return host;
    if (this.hosts.size >= MAX_HOSTS) return null;
    host = {
      ip,
      name: name && name !== ip ? name : null,
      states: new Uint8Array(PORTS),
      reasons: new Uint8Array(PORTS),
      services: new Map(),
      open: new Set(),
      rtts: new Map(),
      counts: [PORTS, 0, 0, 0, 0],
    };
    this.hosts.set(ip, host);
    const option = this.doc.createElement('option');
    option.value = ip;
    option.textContent = host.name ? `${host.name} (${ip})` : ip;
    this.hostSelect.appendChild(option);
    this.hostLabel.hidden = this.hosts.size < 2;
    if (!this.host) this.select(ip);
    return host;
  }

  select(ip) {
    this.host = this.hosts.get(ip) ?? null;
    if (this.hostSelect.value !== ip) this.hostSelect.value = ip;
    this.repaint();
    this.showPort(this.focusPort, this.focused);
  }

  repaint() {
    const states = this.host?.states;
    for (let i = 0; i < PORTS; i++) this.pixels[i] = this.palette[states ? states[i] : 0];
    this.dirty = true;
    this.marksDirty = true;
    this.summaryDirty = true;
    this.requestFrame();
  }

  reasonCode(reason) {
    let code = this.reasonCodes.get(reason);
    if (code === undefined && this.reasons.length < 256) {
      code = this.reasons.length;
      this.reasons.push(reason);
      this.reasonCodes.set(reason, code);
    }
    return code ?? 0;
  }

  /** The colours of the states, from the stylesheet (so the dark theme has its own), as canvas pixels. */
  readPalette() {
    const style = getComputedStyle(this.doc.documentElement);
    this.markColour = style.getPropertyValue('--map-open').trim();
    this.marksDirty = true;
    const probe = this.doc.createElement('canvas').getContext('2d');
    this.palette = new Uint32Array(STATES.map(s => {
      probe.fillStyle = '#000';
      probe.fillStyle = style.getPropertyValue(`--map-${s}`).trim() || '#888';
      const hex = probe.fillStyle; // normalised to #rrggbb
      const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
      // ImageData is RGBA in memory; a Uint32Array over it reads little-endian on every browser target.
      return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
    }));
  }

  point(event, click) {
    const rect = this.canvas.getBoundingClientRect();
    const x = Math.floor(((event.clientX - rect.left) / rect.width) * SIZE);
    const y = Math.floor(((event.clientY - rect.top) / rect.height) * SIZE);
    if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) return;
    const exact = y * SIZE + x;
    // A cell is a pixel or two: a click means the nearest open port, a hover the cell itself when it has
    // an answer, else the nearest open port.
    const port = (click || this.host?.states[exact] === 0 ? this.snapToOpen(x, y) : null) ?? exact;
    if (click) {
      this.focusPort = port;
      if (this.stateOf(port) === 'open') this.onOpenPort(this.host.ip, port);
    }
    this.showPort(port, click);
  }

  snapToOpen(x, y) {
    if (!this.host) return null;
    let best = null;
    let bestDistance = Infinity;
    for (let dy = -SNAP; dy <= SNAP; dy++) {
      for (let dx = -SNAP; dx <= SNAP; dx++) {
        const cx = x + dx;
        const cy = y + dy;
        if (cx < 0 || cy < 0 || cx >= SIZE || cy >= SIZE) continue;
        const d = dx * dx + dy * dy;
        if (d < bestDistance && this.host.states[cy * SIZE + cx] === CODE.open) {
          best = cy * SIZE + cx;
          bestDistance = d;
        }
      }
    }
    return best;
  }

  key(event) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -SIZE, ArrowDown: SIZE, PageUp: -16 * SIZE, PageDown: 16 * SIZE };
    let port = this.focusPort;
    if (event.key in moves) port += moves[event.key];
    else if (event.key === 'Home') port = 0;
    else if (event.key === 'End') port = PORTS - 1;
    else if (event.key === 'n' || event.key === 'N') port = this.nextOpen(port, 1);
    else if (event.key === 'p' || event.key === 'P') port = this.nextOpen(port, -1);
    else if ((event.key === 'Enter' || event.key === ' ') && this.stateOf(port) === 'open') {
      event.preventDefault();
      this.onOpenPort(this.host.ip, port);
      return;
    } else return;
    event.preventDefault();
    this.focusPort = Math.max(0, Math.min(PORTS - 1, port));
    this.showPort(this.focusPort, true);
  }

  nextOpen(from, step) {
    if (!this.host) return from;
    for (let p = from + step; p >= 0 && p < PORTS; p += step) {
      if (this.host.states[p] === CODE.open) return p;
    }
    return from;
  }

  stateOf(port) {
    return this.host ? STATES[this.host.states[port]] : 'unprobed';
  }

  /** Writes what is known of {@code port} into the info line and, when focused, frames its cell. */
  showPort(port, framed) {
    this.focused = framed;
    if (!this.host) {
      this.info.textContent = 'No answers yet.';
      return;
    }
    const state = this.host.states[port];
    const parts = [`Port ${port}`];
    if (state === 0) {
      parts.push(this.report === 'all' ? 'not probed yet' : 'not reported as open');
    } else {
      const reason = this.reasons[this.host.reasons[port]];
      parts.push(reason ? `${STATES[state]} (${reason})` : STATES[state]);
    }
    const service = this.host.services.get(port);
    if (service) parts.push(service);
    const rtt = this.host.rtts.get(port);
    if (rtt != null) parts.push(format.rtt(rtt));
    if (state === CODE.open) parts.push('Enter or click: show its row');
    const text = `${this.host.name ?? this.host.ip} · ${parts.join(' · ')}`;
    if (this.info.textContent !== text) this.info.textContent = text;
    this.info.dataset.port = port;
    this.cursor.hidden = !framed;
    if (framed) {
      this.cursor.style.left = `${((port % SIZE) / SIZE) * 100}%`;
      this.cursor.style.top = `${(Math.floor(port / SIZE) / SIZE) * 100}%`;
    }
  }

  /** Counts per state and the runs of filtered ports, for everyone and for screen readers. */
  writeSummary() {
    this.summaryAt = performance.now();
    this.summaryDirty = false;
    const host = this.host;
    if (!host) {
      this.summary.textContent = '';
      return;
    }
    const [, open, closed, filtered, errors] = host.counts;
    let text;
    if (this.report === 'all') {
      const waiting = Math.max(0, this.portsPerHost - open - closed - filtered - errors);
      text = `${host.name ?? host.ip}: ${format.count(open)} open, ${format.count(closed)} closed, `
        + `${format.count(filtered)} filtered, ${format.count(errors)} errors, ${format.count(waiting)} not yet probed.`;
      const ranges = filteredRanges(host.states);
      if (ranges.length) {
        const named = ranges.slice(0, MAX_RANGES).map(([a, b]) => `${a}-${b}`).join(', ');
        const more = ranges.length > MAX_RANGES ? ` and ${ranges.length - MAX_RANGES} more` : '';
        text += ` All filtered: ports ${named}${more}.`;
      }
    } else {
      text = `${host.name ?? host.ip}: ${format.count(open)} open. ${format.count(this.scanned)} of `
        + `${format.count(this.total)} probes done (all hosts); only open ports are reported (report=open).`;
    }
    if (this.summary.textContent !== text) this.summary.textContent = text;
  }
}

/** Runs of consecutive filtered ports, at least MIN_RANGE long, as [first, last] pairs. */
function filteredRanges(states) {
  const ranges = [];
  let start = -1;
  for (let p = 0; p <= PORTS; p++) {
    const filtered = p < PORTS && states[p] === CODE.filtered;
    if (filtered && start < 0) start = p;
    if (!filtered && start >= 0) {
      if (p - start >= MIN_RANGE) ranges.push([start, p - 1]);
      start = -1;
    }
  }
  return ranges;
}
