// An EventSource that runs in a worker. A 65,535-port report=all scan is 65,535 events, and the
// browser dispatches all the events of one network read in a single task: on the main thread that made
// tasks of 100-500 ms. In a worker, the native parsing and dispatch happen off the main thread, and the
// page gets the events in batches of bounded size, each one short task.

const WORKER_URL = new URL('./event-stream-worker.js', import.meta.url);

/** The subset of EventSource that the page uses: addEventListener, close, readyState, url. */
export class WorkerEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;

  constructor(url) {
    this.readyState = WorkerEventSource.CONNECTING;
    this.listeners = new Map();
    this.worker = new Worker(WORKER_URL);
    this.worker.addEventListener('message', message => this.deliver(message.data));
    this.url = new URL(url, location.href).href;
    // The stream's request is the worker's, out of the page's resource timing: a mark keeps it in sight
    // (the DevTools performance panel, and the tests that check a token never goes into a URL).
    performance.mark('event-stream', { detail: this.url });
    this.worker.postMessage(this.url);
  }

  addEventListener(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(listener);
  }

  close() {
    this.readyState = WorkerEventSource.CLOSED;
    this.worker.terminate();
  }

  /** One batch from the worker: [type, data, lastEventId, readyState] per event, in stream order. */
  deliver(batch) {
    for (const [type, data, lastEventId, readyState] of batch) {
      // Events the worker sent before close() still arrive; they belong to a stream the page has left.
      if (this.readyState === WorkerEventSource.CLOSED) return;
      this.readyState = readyState;
      const event = { type, data, lastEventId };
      for (const listener of this.listeners.get(type) ?? []) listener(event);
    }
  }
}
