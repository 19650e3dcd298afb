// The worker side of WorkerEventSource: a real EventSource, whose events go to the page in batches, at
// most one per BATCH_MS and at most MAX_BATCH events each, so each batch is one short task there.

const BATCH_MS = 16;
const MAX_BATCH = 128;
/** The scan events of the HTTP contract. */
const TYPES = ['started', 'port', 'service', 'progress', 'done'];

let batch = [];
let timer = null;

self.addEventListener('message', message => {
  const source = new EventSource(message.data);
  for (const type of TYPES) {
    source.addEventListener(type, e => {
      // The server ends the stream after done; left open, EventSource would reconnect.
      if (type === 'done') source.close();
      add(source, type, e.data, e.lastEventId, type === 'done');
    });
  }
  // open and error change the connection's state: they go at once, after what came before them.
  source.addEventListener('open', () => add(source, 'open', null, '', true));
  source.addEventListener('error', () => {
    add(source, 'error', null, '', true);
    // A closed EventSource never reconnects: the page opens a new stream, and this worker is done.
    if (source.readyState === EventSource.CLOSED) self.close();
  });
}, { once: true });

function add(source, type, data, lastEventId, now) {
  batch.push([type, data, lastEventId, source.readyState]);
  if (now || batch.length >= MAX_BATCH) {
    send();
  } else if (timer === null) {
    timer = setTimeout(send, BATCH_MS);
  }
}

function send() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (batch.length) postMessage(batch);
  batch = [];
}
