// dromos console: the one connection to /v2/events shared by every console
// tab of a browser (a SharedWorker; app/src/live/shared_stream.rs is the
// tab's side and explains why).
//
// Browsers open at most six HTTP/1.1 connections per host, and an event
// stream holds one for good: with one stream per tab, the seventh tab
// stalled. Here one EventSource serves all tabs.
//
// Protocol (plain objects over each tab's MessagePort, in order):
//   tab -> worker  {t: 'hello', url}   join; `url` is the stream to open
//                  {t: 'pong'}         answer to a ping
//                  {t: 'bye'}          the page goes away (pagehide, freeze)
//   worker -> tab  {t: 'state', state} 'connecting' | 'open' | 'reconnecting',
//                                      once on joining, then on each change;
//                                      'reconnecting' again on every error,
//                                      as a lost stream may mean the session
//                                      ended (tabs then check their cookie)
//                  {t: 'event', name, data}  one event of the stream
//                  {t: 'ping'}
// A tab hears every event that arrives after its hello was handled, once.
//
// Ports say nothing when their page is gone, so tabs say bye, and a port
// that has not answered for EXPIRE_MS of pings is dropped as well. With no
// tab left, the stream is closed after LINGER_MS (a reload of the last tab
// finds it still open).
//
// Tabs name the worker after the session they were loaded with (see
// app/src/live/session.rs): one worker, and one stream, per session.
'use strict';

const RETRY_MS = 3000;
const PING_MS = 10000;
const EXPIRE_MS = 35000;
const LINGER_MS = 5000;

/** port -> when it last said something (Date.now()). */
const ports = new Map();
let url = null;
let source = null;
let state = 'connecting';
let retry = null;
let linger = null;
let pinger = null;

function send(port, message) {
  try {
    port.postMessage(message);
  } catch (_) {
    drop(port);
  }
}

function broadcast(message) {
  for (const port of [...ports.keys()]) send(port, message);
}

function setState(next) {
  if (state === next) return;
  state = next;
  broadcast({ t: 'state', state });
}

/** The stream failed or ended: every tab hears of it, each time. */
function lost() {
  state = 'reconnecting';
  broadcast({ t: 'state', state });
}

function open() {
  retry = null;
  let next;
  try {
    next = new EventSource(url);
  } catch (_) {
    setState('reconnecting');
    retry = setTimeout(open, RETRY_MS);
    return;
  }
  source = next;
  // The console subscribes by type (`event_type=` in the URL); an
  // EventSource delivers named events only to listeners of their name.
  for (const name of new URL(url, self.location.href).searchParams.getAll('event_type')) {
    next.addEventListener(name, (event) => {
      if (source === next) broadcast({ t: 'event', name, data: event.data });
    });
  }
  next.onopen = () => {
    if (source === next) setState('open');
  };
  next.onerror = () => {
    if (source !== next) return;
    lost();
    // CONNECTING: the browser reconnects by itself. CLOSED: it gave up
    // (the stream answered an error); open a new one later.
    if (next.readyState === EventSource.CLOSED) {
      next.close();
      source = null;
      retry = setTimeout(open, RETRY_MS);
    }
  };
}

function close() {
  if (source) source.close();
  source = null;
  clearTimeout(retry);
  retry = null;
  clearInterval(pinger);
  pinger = null;
  state = 'connecting';
}

function drop(port) {
  if (!ports.delete(port)) return;
  port.close();
  if (ports.size === 0 && linger === null) {
    linger = setTimeout(() => {
      linger = null;
      if (ports.size === 0) close();
    }, LINGER_MS);
  }
}

function sweep() {
  const now = Date.now();
  for (const [port, seen] of [...ports]) {
    if (now - seen > EXPIRE_MS) drop(port);
    else send(port, { t: 'ping' });
  }
}

function hello(port, message) {
  clearTimeout(linger);
  linger = null;
  ports.set(port, Date.now());
  if (url === null || (source === null && retry === null)) {
    url = url || String(message.url);
    state = 'connecting';
    open();
  }
  if (pinger === null) pinger = setInterval(sweep, PING_MS);
  send(port, { t: 'state', state });
}

self.onconnect = (connection) => {
  const port = connection.ports[0];
  port.onmessage = (event) => {
    const message = event.data || {};
    if (message.t === 'hello') {
      if (!ports.has(port)) hello(port, message);
    } else if (message.t === 'bye') {
      drop(port);
    } else if (ports.has(port)) {
      ports.set(port, Date.now());
    }
  };
  // Where the browser reports a closed peer, no need to wait for expiry.
  port.addEventListener('close', () => drop(port));
};
