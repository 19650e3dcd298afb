// The Schedules view: the list of schedules with their next run and last runs (each with its change
// count), and a form to create or edit one. The server validates a schedule as it validates a scan;
// a refusal names its field (cron, zone, scan.targets, alerts.webhook), which the form marks. A run
// opens as any scan does, with its diff against the run it was compared with.

import * as format from './format.js';
import { element } from './dom.js';

const REFRESH_MS = 2000;
/** Problem fields and the form inputs that hold them. */
const FIELDS = {
  name: 'sched-name', cron: 'sched-cron', zone: 'sched-zone', enabled: 'sched-enabled',
  'scan.targets': 'sched-targets', 'scan.ports': 'sched-ports', 'alerts.webhook': 'sched-webhook',
};

export class SchedulesView {
  /**
   * @param doc the page's document, holding #schedules
   * @param auth {authHeaders(headers) -> headers, ready() -> boolean: whether a request may be sent (there is a
   *     token, or none is needed)}
   * @param openRun (scanId, baseScanId or null) -> void: shows a run's scan and its diff
   */
  constructor(doc, auth, openRun) {
    this.doc = doc;
    this.auth = auth;
    this.openRun = openRun;
    this.editing = null;
    this.schedules = [];
    this.form = doc.getElementById('schedule-form');
    this.error = doc.getElementById('schedule-error');
    this.form.addEventListener('submit', event => {
      event.preventDefault();
      this.#save();
    });
    doc.getElementById('schedule-cancel').addEventListener('click', () => this.#edit(null));
    doc.getElementById('schedule-delete').addEventListener('click', () => this.#delete());
    doc.getElementById('schedules-refresh').addEventListener('click', () => this.load());
    // Refreshed while the tab shows, once the page has called load() (it knows then whether a token is needed);
    // a 401 stops the refresh until the next load(), which comes with a new token.
    this.refusals = 0;
    setInterval(() => { if (!doc.hidden && this.loaded && !this.refusals) this.load(); }, REFRESH_MS);
  }

  #$(id) {
    return this.doc.getElementById(id);
  }

  #el(tag, props = {}, ...children) {
    return element(this.doc, tag, props, ...children);
  }

  async load() {
    this.loaded = true;
    this.refusals = 0;
    if (!this.auth.ready()) return;
    const response = await fetch('/api/schedules', { headers: this.auth.authHeaders({ Accept: 'application/json' }) })
      .catch(() => null);
    if (response?.status === 401) this.refusals++;
    if (!response || !response.ok) return;
    this.schedules = await response.json();
    this.#render();
  }

  #render() {
    const rows = this.schedules.map(s => {
      const runs = this.#el('ul', { class: 'schedule-runs' }, ...s.runs.map(run => this.#run(s, run)));
      const edit = this.#el('button', { type: 'button', class: 'link schedule-edit' }, 'Edit');
      edit.addEventListener('click', () => this.#edit(s));
      const row = this.#el('tr', {},
        this.#el('th', { scope: 'row' }, s.name),
        this.#el('td', {}, this.#el('code', {}, s.cron), ` ${s.zone}`),
        this.#el('td', {}, `${s.scan.targets} · ${s.scan.ports ?? 'top-1000'}`),
        this.#el('td', { class: 'schedule-next' }, s.enabled ? (s.nextRun ? format.when(s.nextRun) : '–') : 'off'),
        this.#el('td', {}, runs, s.skippedTicks ? this.#el('small', { class: 'muted' }, `${s.skippedTicks} tick(s) skipped`) : ''),
        this.#el('td', {}, edit));
      row.dataset.schedule = s.id;
      return row;
    });
    this.#$('schedules-table').tBodies[0].replaceChildren(...rows);
    this.#$('schedules-table').hidden = rows.length === 0;
    this.#$('schedules-empty').hidden = rows.length > 0;
  }

  // One run: when, its status and how many changes it found; a button that opens its scan and diff.
  #run(schedule, run) {
    const changes = run.changeCount == null ? 'first run' : `${run.changeCount} change${run.changeCount === 1 ? '' : 's'}`;
    const label = `${format.when(run.startedAt)} · ${run.status}${run.status === 'completed' ? ` · ${changes}` : ''}`;
    const button = this.#el('button', { type: 'button', class: `link schedule-run${run.changeCount ? ' changed' : ''}` }, label);
    button.dataset.scan = run.scanId ?? '';
    button.dataset.changes = run.changeCount ?? '';
    button.disabled = !run.scanId;
    button.addEventListener('click', () => this.openRun(run.scanId, run.baseScanId));
    return this.#el('li', {}, button);
  }

  #edit(schedule) {
    this.editing = schedule;
    this.#clearProblem();
    this.#$('schedule-form-heading').textContent = schedule ? `Edit schedule ${schedule.name}` : 'New schedule';
    this.#$('schedule-cancel').hidden = !schedule;
    this.#$('schedule-delete').hidden = !schedule;
    this.#$('sched-name').value = schedule?.name ?? '';
    this.#$('sched-cron').value = schedule?.cron ?? '0 */5 * * * *';
    this.#$('sched-zone').value = schedule?.zone ?? 'UTC';
    this.#$('sched-enabled').checked = schedule?.enabled ?? true;
    this.#$('sched-targets').value = schedule?.scan.targets ?? '127.0.0.1';
    this.#$('sched-ports').value = schedule?.scan.ports ?? 'top-1000';
    this.#$('sched-webhook').value = schedule?.alerts.webhook ?? '';
    if (schedule) this.#$('sched-name').focus();
  }

  #body() {
    const value = id => this.#$(id).value.trim();
    const scan = schedule => ({ ...(schedule?.scan ?? {}), targets: value('sched-targets'), ports: value('sched-ports') || undefined });
    const body = {
      name: value('sched-name'), cron: value('sched-cron'), zone: value('sched-zone') || 'UTC',
      enabled: this.#$('sched-enabled').checked, scan: scan(this.editing),
    };
    if (value('sched-webhook')) body.alerts = { webhook: value('sched-webhook') };
    return body;
  }

  async #save() {
    this.#clearProblem();
    const editing = this.editing;
    const response = await fetch(editing ? `/api/schedules/${encodeURIComponent(editing.id)}` : '/api/schedules', {
      method: editing ? 'PUT' : 'POST',
      headers: this.auth.authHeaders({ 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' }),
      body: JSON.stringify(this.#body()),
    }).catch(error => ({ ok: false, status: 0, json: async () => ({ detail: `Could not reach the server: ${error.message}` }) }));
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      this.#showProblem(problem.detail ?? `${response.status} request refused`, problem.field);
      return;
    }
    const saved = await response.json();
    this.#edit(null);
    this.#$('schedule-status').textContent = `Saved ${saved.name}: next run ${saved.nextRun ? format.when(saved.nextRun) : 'none (off)'}.`;
    await this.load();
  }

  async #delete() {
    const editing = this.editing;
    if (!editing) return;
    const response = await fetch(`/api/schedules/${encodeURIComponent(editing.id)}`, {
      method: 'DELETE', headers: this.auth.authHeaders({ Accept: 'application/json, application/problem+json' }),
    }).catch(() => null);
    if (response && (response.ok || response.status === 404)) {
      this.#edit(null);
      this.#$('schedule-status').textContent = `Deleted ${editing.name}.`;
      await this.load();
    } else {
      this.#showProblem(response ? `${response.status} request refused` : 'Could not reach the server.', null);
    }
  }

  #showProblem(detail, field) {
    this.error.textContent = detail;
    this.error.hidden = false;
    const input = field && this.#$(FIELDS[field] ?? '');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  #clearProblem() {
    this.error.hidden = true;
    this.error.textContent = '';
    this.#$('schedule-status').textContent = '';
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }
}
