// The results of a finished scan, served by the server: a download link for each export format, and
// the diff against a base scan picked from the history, with the changed rows highlighted. With
// authentication on, a download link carries a stream ticket for this scan (a link cannot send the
// token), fetched afresh when it is about to expire; the diff is a fetch that sends the token.

import * as format from './format.js';
import { element } from './dom.js';

const FORMATS = [
  ['json', 'JSON', 'json'],
  ['ndjson', 'NDJSON', 'ndjson'],
  ['csv', 'CSV', 'csv'],
  ['xml', 'nmap XML', 'xml'],
  ['grepable', 'Grepable', 'gnmap'],
];
/** A ticket this close to its expiry is replaced before a download uses it. */
const TICKET_MARGIN_MS = 30_000;
const HISTORY_SIZE = 50;

export class ResultsView {
  /**
   * @param doc the page's document, holding #results
   * @param auth {authHeaders(headers) -> headers, authRequired() -> boolean}
   */
  constructor(doc, auth) {
    this.doc = doc;
    this.auth = auth;
    this.root = doc.getElementById('results');
    this.scanId = null;
    this.ticketExpiry = 0;
  }

  /** Shows the downloads and the diff picker for finished scan {@code scanId}. */
  async show(scanId) {
    this.scanId = scanId;
    this.root.replaceChildren(this.#downloads(scanId), this.#diffPanel());
    this.root.hidden = false;
    if (this.auth.authRequired()) await this.#refreshTickets();
    await this.#loadHistory(scanId);
  }

  /** Compares the shown scan with scan {@code base} (a schedule's run with the run it was diffed against). */
  async compareWith(base) {
    const select = this.doc.getElementById('diff-base');
    if (!select) return;
    if (![...select.options].some(option => option.value === base)) {
      select.append(this.#el('option', { value: base }, `scan ${base.slice(0, 8)}`));
    }
    select.value = base;
    await this.#compare(base);
  }

  hide() {
    this.scanId = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  #el(tag, props = {}, ...children) {
    return element(this.doc, tag, props, ...children);
  }

  #downloads(scanId) {
    const group = this.#el('div', { class: 'downloads', role: 'group', 'aria-label': 'Download the results' },
      this.#el('span', { class: 'muted' }, 'Download'));
    for (const [name, label, extension] of FORMATS) {
      const link = this.#el('a', { id: `download-${name}`, class: 'button', download: `portflux-${scanId}.${extension}` }, label);
      link.dataset.format = name;
      link.href = resultsUrl(scanId, name);
      link.addEventListener('click', event => this.#beforeDownload(event, link));
      group.append(link);
    }
    return group;
  }

  // A link whose ticket is about to expire gets a fresh one first, then is followed again.
  async #beforeDownload(event, link) {
    if (!this.auth.authRequired() || Date.now() < this.ticketExpiry - TICKET_MARGIN_MS) return;
    event.preventDefault();
    if (await this.#refreshTickets()) link.click();
  }

  async #refreshTickets() {
    const id = this.scanId;
    const response = await fetch(`${api(id)}/tickets`, {
      method: 'POST',
      headers: this.auth.authHeaders({ Accept: 'application/json, application/problem+json' }),
    }).catch(() => null);
    if (!response || !response.ok || id !== this.scanId) return false;
    const ticket = await response.json();
    this.ticketExpiry = Date.parse(ticket.expiresAt);
    for (const link of this.root.querySelectorAll('.downloads a')) {
      link.href = `${resultsUrl(id, link.dataset.format)}&ticket=${encodeURIComponent(ticket.ticket)}`;
    }
    return true;
  }

  #diffPanel() {
    const select = this.#el('select', { id: 'diff-base' },
      this.#el('option', { value: 'previous' }, 'the previous scan of the same targets and ports'));
    const button = this.#el('button', { id: 'diff-button', type: 'button' }, 'Compare');
    button.addEventListener('click', () => this.#compare(select.value));
    return this.#el('div', { class: 'diff' },
      this.#el('h3', { id: 'diff-heading' }, 'What changed'),
      this.#el('div', { class: 'diff-form' },
        this.#el('label', { htmlFor: 'diff-base' }, 'Compare with'), select, button),
      this.#el('p', { id: 'diff-summary', class: 'muted', role: 'status', 'aria-live': 'polite' }),
      this.#el('ul', { id: 'diff-hosts', class: 'diff-hosts' }),
      this.#el('div', { class: 'table-wrap' },
        this.#el('table', { id: 'diff-table', hidden: true, 'aria-labelledby': 'diff-heading' },
          this.#el('thead', {}, this.#el('tr', {}, ...['Host', 'Port', 'Base', 'This scan', 'Change']
            .map(h => this.#el('th', { scope: 'col' }, h)))),
          this.#el('tbody'))));
  }

  // Other finished scans to compare with, newest first.
  async #loadHistory(scanId) {
    const response = await fetch(`/api/scans?status=completed&size=${HISTORY_SIZE}`, {
      headers: this.auth.authHeaders({ Accept: 'application/json' }),
    }).catch(() => null);
    if (!response || !response.ok || scanId !== this.scanId) return;
    const select = this.doc.getElementById('diff-base');
    for (const scan of await response.json()) {
      if (scan.id === scanId || [...select.options].some(option => option.value === scan.id)) continue;
      const label = `${scan.request?.targets ?? '?'} · ${scan.request?.ports ?? 'top-1000'} · ${format.when(scan.startedAt)}`;
      select.append(this.#el('option', { value: scan.id }, label));
    }
  }

  async #compare(base) {
    const id = this.scanId;
    const summary = this.doc.getElementById('diff-summary');
    summary.textContent = 'Comparing…';
    const response = await fetch(`${api(id)}/diff?base=${encodeURIComponent(base)}`, {
      headers: this.auth.authHeaders({ Accept: 'application/json, application/problem+json' }),
    }).catch(error => ({ ok: false, json: async () => ({ detail: `Could not reach the server: ${error.message}` }) }));
    if (id !== this.scanId) return;
    const body = await response.json().catch(() => ({}));
    const table = this.doc.getElementById('diff-table');
    if (!response.ok) {
      summary.textContent = body.detail ?? `${response.status} request refused`;
      table.hidden = true;
      this.doc.getElementById('diff-hosts').replaceChildren();
      return;
    }
    this.#render(body);
  }

  #render(diff) {
    const s = diff.summary;
    const extra = [diff.portsOnlyInBase && `ports ${diff.portsOnlyInBase} only in the base`,
      diff.portsOnlyInScan && `ports ${diff.portsOnlyInScan} only in this scan`].filter(Boolean);
    this.doc.getElementById('diff-summary').textContent =
      `Against scan ${diff.base.id.slice(0, 8)} (${format.when(diff.base.startedAt)}): ${format.count(s.changed)} changed, `
      + `${format.count(s.notComparable)} not comparable, ${s.hostsAppeared} host(s) up, ${s.hostsGone} gone`
      + (extra.length ? `; ${extra.join('; ')} (not comparable)` : '') + '.';
    this.doc.getElementById('diff-hosts').replaceChildren(
      ...diff.hosts.appeared.map(ip => this.#el('li', { class: 'appeared' }, `+ ${ip}: host is up`)),
      ...diff.hosts.gone.map(ip => this.#el('li', { class: 'gone' }, `− ${ip}: host is gone`)));
    const rows = diff.ports.map(p => {
      const row = this.#el('tr', { class: p.kind },
        this.#el('td', {}, p.host ? `${p.host} (${p.ip})` : p.ip),
        this.#el('td', { class: 'num' }, `${p.port}/${p.protocol}`),
        this.#el('td', {}, side(p.base)),
        this.#el('td', {}, side(p.scan)),
        this.#el('td', {}, p.kind === 'changed' ? p.changed.join(', ') : `not comparable: ${p.note}`));
      row.dataset.port = p.port;
      return row;
    });
    const table = this.doc.getElementById('diff-table');
    table.tBodies[0].replaceChildren(...rows);
    table.hidden = rows.length === 0;
  }
}

function side(port) {
  if (!port) return '–';
  const service = [port.service, port.product, port.version].filter(Boolean).join(' ');
  return `${port.state} (${port.reason})${service ? ` ${service}` : ''}`;
}

function api(id) {
  return `/api/scans/${encodeURIComponent(id)}`;
}

function resultsUrl(id, name) {
  return `${api(id)}/results?format=${name}`;
}
