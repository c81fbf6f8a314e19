// Injected by the `ui` benchmark into every page before the page's own
// scripts run (CDP Page.addScriptToEvaluateOnNewDocument). It only records
// timestamps (performance.now(), milliseconds since the navigation
// started) into window.__uiBench; the harness reads them afterwards.
//
// * tti: the first moment the services table has EXPECTED_ROWS rows and,
//   on pages that have the console's root element, that element says
//   data-hydrated="true" (a MutationObserver checks after every change).
// * arrivals: each status_update_event the page receives, recorded by a
//   listener added before the page's listeners, so it runs first:
//   [time, appId, taskStatus, taskId]. The console receives its events
//   from the tabs' shared worker (public/events-worker.js), as
//   {t: 'event', name, data} messages on the worker's port, or, where it
//   falls back, from its own EventSource; both are wrapped.
// * sources: the event streams the page opened: the URL of each
//   EventSource, and `shared:` + the name of each shared worker (which
//   names the stream it holds).
// * fetches: every services-list request (Resource Timing): [start, responseEnd].
// * rows: which app rows of the services table changed and when:
//   [time, appId] for every row (`tr[data-app-id]`) a change happened
//   inside of, or that was added (a re-rendered table adds all of them);
//   one entry per row per MutationObserver callback.
// * frames: for every frame, the time right after it was rendered (a
//   message posted from requestAnimationFrame is handled after the paint).
// * longtasks: [start, duration] of every main-thread task over 50 ms.
(() => {
  const B = (window.__uiBench = {
    tti: null, arrivals: [], fetches: [], rows: [], frames: [], longtasks: [], sources: [],
  });
  const EXPECTED_ROWS = __EXPECTED_ROWS__;

  const ready = () => {
    const rows = document.querySelectorAll('[data-testid=services-table] tbody tr').length;
    if (rows < EXPECTED_ROWS) return false;
    const root = document.querySelector('[data-testid=app-root]');
    return !root || root.getAttribute('data-hydrated') === 'true';
  };
  const tti = new MutationObserver(() => {
    if (B.tti === null && ready()) {
      B.tti = performance.now();
      tti.disconnect();
    }
  });
  tti.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-hydrated'] });

  const arrived = (json) => {
    const at = performance.now();
    let data = {};
    try { data = JSON.parse(json); } catch (_) { /* recorded without details */ }
    B.arrivals.push([at, data.appId || '', data.taskStatus || '', data.taskId || '']);
  };

  const Native = window.EventSource;
  if (Native) {
    const Wrapped = function (url, init) {
      const source = new Native(url, init);
      B.sources.push(String(url));
      source.addEventListener('status_update_event', (event) => arrived(event.data));
      return source;
    };
    Wrapped.prototype = Native.prototype;
    for (const k of ['CONNECTING', 'OPEN', 'CLOSED']) Wrapped[k] = Native[k];
    window.EventSource = Wrapped;
  }

  // A listener on the port does not start it (the page's start() or
  // onmessage does), so it sees exactly the messages the page sees.
  const NativeShared = window.SharedWorker;
  if (NativeShared) {
    const WrappedShared = function (url, options) {
      const worker = new NativeShared(url, options);
      const name = typeof options === 'string' ? options : (options && options.name) || '';
      B.sources.push('shared:' + name);
      worker.port.addEventListener('message', (event) => {
        const m = event.data;
        if (m && m.t === 'event' && m.name === 'status_update_event') arrived(m.data);
      });
      return worker;
    };
    WrappedShared.prototype = NativeShared.prototype;
    window.SharedWorker = WrappedShared;
  }

  performance.setResourceTimingBufferSize(100000);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name.includes('/api/apps/list')) B.fetches.push([e.startTime, e.responseEnd]);
    }
  }).observe({ type: 'resource' });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });

  const watchMain = () => {
    const main = document.querySelector('main');
    if (!main) return false;
    const element = (node) => (node.nodeType === 1 ? node : node.parentElement);
    const ROW = 'tr[data-app-id]';
    new MutationObserver((records) => {
      const at = performance.now();
      const changed = new Set();
      for (const r of records) {
        const row = element(r.target)?.closest(ROW);
        if (row) changed.add(row.dataset.appId);
        for (const node of r.addedNodes) {
          if (node.nodeType !== 1) continue;
          if (node.matches(ROW)) changed.add(node.dataset.appId);
          for (const inner of node.querySelectorAll(ROW)) changed.add(inner.dataset.appId);
        }
      }
      for (const app of changed) B.rows.push([at, app]);
    }).observe(main, { subtree: true, childList: true, characterData: true, attributes: true });
    return true;
  };
  if (!watchMain()) document.addEventListener('DOMContentLoaded', watchMain);

  const channel = new MessageChannel();
  channel.port1.onmessage = () => B.frames.push(performance.now());
  const frame = () => {
    channel.port2.postMessage(0);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
