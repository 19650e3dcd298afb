// The rate chart: probes per second and open ports found over the scan's elapsed time, one point per
// progress event (plus the start and the end), drawn on a canvas at most once per animation frame, with a
// table view of the same points. It is rebuilt from the replayed events of a finished scan.

import * as format from './format.js';

/** Points kept; beyond this every other point goes, so a scan of hours stays cheap to draw. */
const MAX_POINTS = 1024;
const HEIGHT = 160;
const PAD = { left: 8, right: 8, top: 18, bottom: 18 };

export class RateChart {
  constructor(doc, root, requestFrame) {
    this.doc = doc;
    root.insertAdjacentHTML('beforeend', `
      <figure class="chart-figure">
        <h3 id="chart-heading">Rate</h3>
        <canvas id="rate-chart" role="img" aria-labelledby="chart-heading" aria-describedby="chart-caption"></canvas>
        <figcaption id="chart-caption" class="chart-caption">
          <span class="key rate">probes/s</span> <span class="key open">open ports</span>
          <span id="chart-now"></span>
        </figcaption>
        <details id="chart-table-view" class="chart-table-view">
          <summary>Chart as a table</summary>
          <div class="table-wrap">
            <table id="chart-table">
              <thead><tr><th scope="col" class="num">Elapsed</th><th scope="col" class="num">Probes/s</th>
                <th scope="col" class="num">Open</th><th scope="col" class="num">Scanned</th></tr></thead>
              <tbody></tbody>
            </table>
          </div>
        </details>
      </figure>`);
    const $ = id => doc.getElementById(id);
    this.canvas = $('rate-chart');
    this.now = $('chart-now');
    this.tableView = $('chart-table-view');
    this.tbody = $('chart-table').tBodies[0];
    this.tableView.addEventListener('toggle', () => this.renderTable());
    this.ctx = this.canvas.getContext('2d');
    // Layout and styles are read here, never while drawing, so a frame's draw forces no layout.
    this.width = 360;
    new ResizeObserver(([entry]) => {
      this.width = Math.round(entry.contentRect.width) || this.width;
      this.dirty = true;
      requestFrame();
    }).observe(this.canvas);
    this.readColours();
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      this.readColours();
      this.dirty = true;
      requestFrame();
    });
    this.reset();
  }

  readColours() {
    const style = getComputedStyle(this.canvas);
    this.colours = Object.fromEntries(['--border', '--muted', '--chart-rate', '--chart-open']
      .map(name => [name, style.getPropertyValue(name).trim()]));
  }

  reset() {
    this.points = [];
    this.etaMs = null;
    this.finishedMs = null;
    this.dirty = true;
    this.tableAt = 0;
    this.tbody.replaceChildren();
  }

  started() {
    this.add({ t: 0, rate: 0, open: 0, scanned: 0 });
  }

  progress(c) {
    this.etaMs = c.etaMs ?? null;
    this.add({ t: c.elapsedMs ?? 0, rate: c.rate ?? 0, open: c.open ?? 0, scanned: c.scanned ?? 0 });
  }

  done(d) {
    const last = this.points[this.points.length - 1];
    const average = d.elapsedMs > 0 ? (d.scanned * 1000) / d.elapsedMs : 0;
    this.etaMs = null;
    this.finishedMs = d.elapsedMs ?? null;
    this.add({ t: d.elapsedMs ?? last?.t ?? 0, rate: last && last.t > 0 ? last.rate : average, open: d.open ?? 0, scanned: d.scanned ?? 0 });
  }

  /** Replayed or repeated events carry an elapsed time already seen: only later points count. */
  add(point) {
    const last = this.points[this.points.length - 1];
    if (last && point.t <= last.t) {
      if (point.t === last.t) Object.assign(last, point);
      this.dirty = true;
      return;
    }
    this.points.push(point);
    if (this.points.length > MAX_POINTS) {
      this.points = this.points.filter((p, i) => i % 2 === 0 || i === this.points.length - 1);
    }
    this.dirty = true;
  }

  draw(final) {
    if (!this.dirty) return;
    this.dirty = false;
    const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
    // Drawn at its laid-out width, so the labels keep their size in a narrow column.
    const width = this.width;
    if (this.canvas.width !== width * dpr || this.canvas.height !== HEIGHT * dpr) {
      this.canvas.width = width * dpr;
      this.canvas.height = HEIGHT * dpr;
    }
    const ctx = this.ctx;
    const color = name => this.colours[name];
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const points = this.points;
    const tMax = Math.max(1, points[points.length - 1]?.t ?? 1);
    const rateMax = Math.max(1, ...points.map(p => p.rate));
    const openMax = Math.max(1, ...points.map(p => p.open));
    const x = t => PAD.left + (t / tMax) * (width - PAD.left - PAD.right);
    const y = (v, max) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
    ctx.strokeStyle = color('--border');
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD.left, HEIGHT - PAD.bottom + 0.5);
    ctx.lineTo(width - PAD.right, HEIGHT - PAD.bottom + 0.5);
    ctx.stroke();
    this.line(points, p => x(p.t), p => y(p.rate, rateMax), color('--chart-rate'), []);
    this.line(points, p => x(p.t), p => y(p.open, openMax), color('--chart-open'), [4, 3]);
    ctx.fillStyle = color('--muted');
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(`${format.rate(rateMax)} max · ${format.count(openMax === 1 && !points.some(p => p.open) ? 0 : openMax)} open`, PAD.left, 2);
    ctx.textBaseline = 'bottom';
    ctx.fillText('0', PAD.left, HEIGHT - 2);
    ctx.textAlign = 'right';
    ctx.fillText(format.duration(tMax), width - PAD.right, HEIGHT - 2);
    const last = points[points.length - 1];
    const now = last
      ? `${format.rate(last.rate)}, ${format.count(last.open)} open, `
        + (this.finishedMs != null ? `finished in ${format.duration(this.finishedMs)}` : `ETA ${format.duration(this.etaMs)}`)
      : '';
    if (this.now.textContent !== now) this.now.textContent = now;
    this.canvas.dataset.points = points.length;
    this.canvas.setAttribute('aria-label', `Rate chart, ${points.length} points: ${now}`);
    if (this.tableView.open && (final || performance.now() - this.tableAt > 1000)) this.renderTable();
  }

  line(points, px, py, stroke, dash) {
    const ctx = this.ctx;
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(px(p), py(p)) : ctx.moveTo(px(p), py(p))));
    ctx.stroke();
    ctx.setLineDash([]);
  }

  renderTable() {
    if (!this.tableView.open) return;
    this.tableAt = performance.now();
    const rows = this.points.map(p => {
      const tr = this.doc.createElement('tr');
      for (const text of [format.duration(p.t), format.rate(p.rate), format.count(p.open), format.count(p.scanned)]) {
        const td = this.doc.createElement('td');
        td.className = 'num';
        td.textContent = text;
        tr.appendChild(td);
      }
      return tr;
    });
    this.tbody.replaceChildren(...rows);
  }
}
