/** `imgclass serve` as a library: `const app = await startServer({ runs: 'runs', port: 0 }); ... await app.close();` */
export { startServer } from './server';
export type { RunningServer, ServeOptions } from './server';
export { MAX_UPLOAD_BYTES } from './pages';
