// Number and duration formatting shared by the live view and the recent-scans list.

const integer = new Intl.NumberFormat('en');

/** 12345 -> "12,345"; null -> "–". */
export function count(n) {
  return n == null ? '–' : integer.format(n);
}

/** Probes per second, rounded; small rates keep one decimal so a slow scan does not read "0". */
export function rate(perSecond) {
  if (perSecond == null || Number.isNaN(perSecond)) return '–';
  const digits = perSecond < 10 ? 1 : 0;
  return `${perSecond.toFixed(digits)} probes/s`;
}

/** Milliseconds as "850 ms", "3.2 s" or "4 m 05 s". */
export function duration(ms) {
  if (ms == null || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.floor(s % 60).toString().padStart(2, '0');
  return `${m} m ${rest} s`;
}

/** Round-trip time of one probe, "0.42 ms". */
export function rtt(ms) {
  if (ms == null) return '–';
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/** An ISO instant as local time, short. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}
