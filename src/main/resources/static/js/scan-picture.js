// The scan as pictures: the port map and the rate chart, fed with every event as it arrives (cheap
// writes into their own state) and drawn together at most once per animation frame.

import { PortMap } from './port-map.js';
import { RateChart } from './rate-chart.js';

export class ScanPicture {
  constructor(doc, root) {
    this.doc = doc;
    this.map = new PortMap(doc, root, {
      onOpenPort: (ip, port) => showRow(doc, ip, port),
      requestFrame: () => this.requestFrame(),
    });
    this.chart = new RateChart(doc, root, () => this.requestFrame());
    this.frameRequested = false;
    this.summaryTimer = null;
    this.final = false;
  }

  reset() {
    this.map.reset();
    this.chart.reset();
    this.final = false;
    this.requestFrame();
  }

  /** Takes one scan event; repeats (a replay after a reconnect) leave the pictures as they were. */
  enqueue(type, data) {
    switch (type) {
      case 'started':
        this.map.started(data);
        this.chart.started(data);
        break;
      case 'port':
        this.map.port(data);
        break;
      case 'service':
        this.map.service(data);
        break;
      case 'progress':
        this.map.progress(data);
        this.chart.progress(data);
        break;
      case 'done':
        for (const p of data.openPorts ?? []) this.map.port({ ...p, state: 'open', reason: p.reason ?? 'conn-accept' });
        this.map.progress(data);
        this.chart.done(data);
        this.final = true;
        break;
      default:
        return;
    }
    this.requestFrame();
  }

  requestFrame() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    const run = () => this.draw();
    // A hidden tab gets no animation frames; a timer keeps the pictures current for when it returns.
    if (this.doc.hidden) setTimeout(run, 100); else requestAnimationFrame(run);
  }

  draw() {
    this.frameRequested = false;
    this.map.draw(this.final);
    this.chart.draw(this.final);
    // The summary is written at most once a second while the scan runs; come back for the rest.
    if (this.map.summaryDirty && !this.summaryTimer) {
      this.summaryTimer = setTimeout(() => {
        this.summaryTimer = null;
        this.requestFrame();
      }, 1000);
    }
  }
}

/** Scrolls the open-ports table to the row of {@code ip}:{@code port} and marks it for a moment. */
function showRow(doc, ip, port) {
  const row = [...doc.querySelectorAll(`#open-ports tbody tr[data-port="${port}"]`)]
    .find(tr => tr.cells[1]?.textContent === ip);
  if (!row) return;
  row.scrollIntoView({ block: 'center' });
  row.classList.remove('flash');
  // A reflow between removing and adding the class restarts the animation on a second click.
  void row.offsetWidth;
  row.classList.add('flash');
}
