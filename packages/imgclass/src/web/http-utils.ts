import type { IncomingMessage, ServerResponse } from 'node:http';

/** Security headers for every page: no framing, no sniffing, scripts and styles from this server only. */
const PAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, 'text/html; charset=utf-8', html);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra);
}

/** An error the client caused, answered with its status and a sentence for the page to show (a 404 with no sentence names the requested path). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request body, refusing more than `limit` bytes with 413 before reading
 * it when Content-Length says so, or as soon as a streamed body passes it.
 * Rejects when the client goes away mid-upload.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `The upload is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.removeAllListeners('data');
      req.resume(); // drain instead of buffering whatever is still coming
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge());
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', fail);
    req.on('close', () => fail(new HttpError(400, 'The client closed the connection before the upload ended.')));
  });
}

/**
 * Answers a refused upload with `Connection: close`, so a client still
 * sending cannot keep the socket busy; the client reads the answer first
 * because Node closes only after the response is flushed.
 */
export function refuseUpload(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: err.message }, { Connection: 'close' });
}
