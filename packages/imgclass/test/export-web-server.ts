// A static file server for the web-demo tests: the export folder at /, the shared pictures at /__pictures/.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

export async function serveFolder(root: string, picturesRoot: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const [base, rel] = pathname.startsWith('/__pictures/') ? [picturesRoot, pathname.slice('/__pictures/'.length)] : [root, pathname === '/' ? 'index.html' : pathname];
    const file = path.resolve(base, `./${rel}`);
    if (!file.startsWith(path.resolve(base))) {
      res.statusCode = 403;
      res.end();
      return;
    }
    readFile(file).then(
      (data) => {
        res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
        res.end(data);
      },
      () => {
        res.statusCode = 404;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
