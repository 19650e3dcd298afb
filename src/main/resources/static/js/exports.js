// Builds the downloadable results of a finished scan in the browser, from its snapshot.

const CSV_COLUMNS = ['host', 'ip', 'port', 'service', 'product', 'version', 'method', 'rttMs'];

/** The snapshot as pretty JSON, with the RTT that the page saw for each open port added in. */
export function toJson(snapshot, rtts) {
  const openPorts = (snapshot.openPorts ?? []).map(p => withRtt(p, rtts));
  return JSON.stringify({ ...snapshot, openPorts }, null, 2) + '\n';
}

/** One CSV row per open port (RFC 4180 quoting), header first. */
export function toCsv(snapshot, rtts) {
  const rows = (snapshot.openPorts ?? []).map(p => withRtt(p, rtts));
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(CSV_COLUMNS.map(c => csvField(row[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** A blob: URL for text; the caller revokes it when the scan is no longer shown. */
export function blobUrl(text, type) {
  return URL.createObjectURL(new Blob([text], { type }));
}

function withRtt(port, rtts) {
  const rttMs = rtts.get(`${port.ip}|${port.port}`);
  return rttMs == null ? { ...port } : { ...port, rttMs };
}

function csvField(value) {
  if (value == null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
