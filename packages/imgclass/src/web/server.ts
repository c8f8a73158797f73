import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import '../backend'; // predictions run in this process: use the native backend when it loads
import { DatasetError } from '../data/errors';
import { ImgclassError } from '../errors';
import { readMetricsRecords } from '../report/run-metrics';
import { STYLESHEET } from '../report/stylesheet';
import { trainingCurves } from '../report/training-curves';
import { CLIENT_SCRIPT } from './client-script';
import { evaluationFragment } from './evaluation-fragment';
import { HttpError, readBody, refuseUpload, send, sendHtml, sendJson } from './http-utils';
import { MAX_UPLOAD_BYTES, errorPage, predictPage, runPage, runsPage } from './pages';
import { PredictService } from './predict-service';
import { RunFeed } from './run-feed';
import { RunStore } from './run-store';
import { resolveInside, runDirFor } from './safe-paths';
import { TrainingJobs, TrainRequest } from './training-jobs';
import type { WorkerMessage } from './train-worker';

export interface ServeOptions {
  /** Folder of run folders. Default 'runs'. */
  runs?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: only this machine can connect. */
  host?: string;
  /** Training folders chosen on the page must lie inside this folder. Default: the working directory. */
  data?: string;
  cacheDir?: string;
  /** Uploads above this many bytes get 413. Default 20 MB. */
  maxUploadBytes?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops training jobs (with a checkpoint), live pages and the listener. */
  close(): Promise<void>;
}

/** Files of a run the browser may fetch, by extension. */
const RUN_FILE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** `imgclass serve`: the runs list, live run pages, and the predict page. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const runsRoot = path.resolve(options.runs ?? 'runs');
  const host = options.host ?? '127.0.0.1';
  const maxUpload = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const dataRoot = path.resolve(options.data ?? '.');
  const jobs = new TrainingJobs(runsRoot, dataRoot, options.cacheDir);
  const store = new RunStore(runsRoot, jobs);
  const predictions = new PredictService();
  const feeds = new Map<string, RunFeed>();
  const feedFor = (name: string) => {
    let feed = feeds.get(name);
    if (!feed) {
      feed = new RunFeed(store, name, () => jobs.failure(name), () => feeds.delete(name));
      feeds.set(name, feed);
    }
    return feed;
  };
  jobs.on('message', (name: string, m: WorkerMessage) => {
    const feed = feeds.get(name);
    if (!feed) return;
    if (m.type === 'event' && m.event.type === 'step') feed.progress(m.event);
    else if (m.type !== 'event') feed.refresh();
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').slice(1).map(decodeSegment);
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/') return sendHtml(res, 200, runsPage(await store.list(), runsRoot, dataRoot));
    if (method === 'GET' && url.pathname === '/style.css') return send(res, 200, 'text/css; charset=utf-8', STYLESHEET);
    if (method === 'GET' && url.pathname === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', CLIENT_SCRIPT);
    if (method === 'GET' && url.pathname === '/predict') {
      return sendHtml(res, 200, predictPage(await store.list(), url.searchParams.get('run') ?? undefined));
    }
    if (method === 'GET' && url.pathname === '/api/runs') return sendJson(res, 200, { runs: await store.list() });
    if (method === 'POST' && url.pathname === '/api/predict') {
      const name = url.searchParams.get('run') ?? '';
      const runDir = runDirFor(runsRoot, name);
      await store.info(name).catch(() => {
        throw new HttpError(404, `There is no run '${name}'.`);
      });
      const bytes = await readBody(req, maxUpload);
      return sendJson(res, 200, await predictions.predict(name, runDir, bytes));
    }
    if (method === 'POST' && url.pathname === '/api/train') {
      if (!String(req.headers['content-type']).startsWith('application/json')) throw new HttpError(415, 'Send the training options as JSON.');
      let request: TrainRequest;
      try {
        request = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')) as TrainRequest;
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, 'The training options are not valid JSON.');
      }
      return sendJson(res, 202, { run: await jobs.start(request) });
    }
    if (method === 'GET' && parts[0] === 'runs' && parts.length >= 2) {
      const name = parts[1];
      const runDir = runDirFor(runsRoot, name);
      if (parts.length === 2) return sendHtml(res, 200, await renderRunPage(name, runDir));
      if (parts.length === 3 && parts[2] === 'events') {
        if (!jobs.state(name)) await store.info(name);
        return feedFor(name).add(res);
      }
      if (parts[2] === 'files' && parts.length > 3) return sendRunFile(res, runDir, parts.slice(3).join('/'));
    }
    throw new HttpError(404, '');
  }

  async function renderRunPage(name: string, runDir: string): Promise<string> {
    const info = await store.info(name).catch((err) => {
      // A job still reading its pictures (or that failed doing so) has no run folder; its page exists all the same.
      if (jobs.state(name)) return null;
      throw err;
    });
    const status = info?.status ?? (jobs.state(name) === 'failed' ? 'failed' : 'training');
    const curves = trainingCurves(await readMetricsRecords(runDir));
    const evaluation = await evaluationFragment(runDir, name, status);
    return runPage({ name, status, info, curves, evaluation, failure: jobs.failure(name) });
  }

  async function sendRunFile(res: ServerResponse, runDir: string, relative: string): Promise<void> {
    const file = await resolveInside(runDir, relative);
    const type = RUN_FILE_TYPES[path.extname(file).toLowerCase()];
    if (!type) throw new HttpError(404, '');
    const body = await readFile(file).catch(() => {
      throw new HttpError(404, '');
    });
    // The report is self-contained: it needs inline styles and data: images, and nothing else.
    send(res, 200, type, body, { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox" });
  }

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    if (!hostAllowed(req, host)) return sendJson(res, 421, { error: 'This server answers only to localhost names.' });
    route(req, res).catch((err: unknown) => answerError(req, res, err));
  });
  // A malformed request or a client that vanished: drop that socket, keep serving.
  server.on('clientError', (_err, socket) => socket.destroy());
  const port = options.port ?? 8080;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new ImgclassError('INVALID_OPTION', `Cannot listen on ${host}:${port} (${err.code === 'EADDRINUSE' ? 'in use' : 'not permitted'}); choose another --port.`)
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    async close() {
      for (const feed of feeds.values()) feed.close();
      await jobs.stopAll();
      await predictions.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answerError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (err instanceof HttpError && err.status === 413) return refuseUpload(res, err);
  const status = err instanceof HttpError ? err.status : err instanceof ImgclassError || err instanceof DatasetError ? (err.code === 'NOT_A_RUN' ? 404 : 400) : 500;
  // A 404 names what was asked for, never where the server looked (its folders are no business of a client's).
  const generic404 = status === 404 && !(err instanceof HttpError && err.message !== '');
  const message =
    status === 500 ? 'Something went wrong on the server; its log says more.' : generic404 ? `There is nothing at ${requestedPath(req)}.` : (err as Error).message;
  if (status === 500) console.error(err);
  if (req.headers.accept?.includes('text/html') && req.method === 'GET') return sendHtml(res, status, errorPage(status, message));
  sendJson(res, status, { error: message });
}

/** The path as the client sent it (before URL normalization resolved any '..'), without the query; shortened. */
function requestedPath(req: IncomingMessage): string {
  const raw = (req.url ?? '/').split('?')[0];
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

/** Undecodable escapes become a name no route accepts. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '\0';
  }
}

/**
 * Against DNS rebinding: a page on another site that points its own name at
 * 127.0.0.1 must not reach a loopback-only server. Any host is fine when the
 * user chose to listen beyond loopback.
 */
function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!['127.0.0.1', '::1', 'localhost'].includes(boundHost)) return true;
  const name = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return ['127.0.0.1', '::1', 'localhost'].includes(name) || /^127\./.test(name);
}
