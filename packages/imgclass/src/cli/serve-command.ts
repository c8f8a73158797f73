import { startServer } from '../web/server';
import { CommandSpec, numberOpt, stringOpt, UsageError } from './command';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'A local web app: runs, live training curves, and a page to try a model on a picture',
  usage: ['serve [--runs runs/] [--port 8080] [--host 127.0.0.1] [--data DIR]'],
  description:
    'Listens on 127.0.0.1 only (this machine) unless --host says otherwise. Runs started from the page train\n' +
    'in a child process; their folders go under --runs, and their picture folders must lie inside --data.\n' +
    'Ctrl-C stops the server; a training run it started saves a checkpoint first (continue it with train --resume).',
  options: {
    runs: { type: 'string', value: 'DIR', description: 'Folder of run folders. Default runs.' },
    port: { type: 'string', value: 'N', description: 'Port. Default 8080 (0: any free port).' },
    host: { type: 'string', value: 'ADDR', description: 'Address to listen on. Default 127.0.0.1; 0.0.0.0 opens it to the network.' },
    data: { type: 'string', value: 'DIR', description: 'Picture folders for runs started from the page must be inside it. Default: here.' },
    'cache-dir': { type: 'string', value: 'DIR', description: 'Decoded-pixel cache. Default .imgclass-cache.' },
  },
  examples: ['imgclass serve', 'imgclass serve --runs experiments/ --port 9000'],
  positionals: { min: 0, max: 0 },
  async run({ values, out }) {
    const port = numberOpt(values, 'port', 'int') ?? 8080;
    if (port < 0 || port > 65535) throw new UsageError(`--port must be between 0 and 65535, got ${port}.`);
    const host = stringOpt(values, 'host') ?? '127.0.0.1';
    const server = await startServer({ runs: stringOpt(values, 'runs'), port, host, data: stringOpt(values, 'data'), cacheDir: stringOpt(values, 'cache-dir') });
    if (!/^(127\.|::1$|localhost$)/.test(host)) out.err(`warning: listening on ${host}: other machines on the network can reach this server.`);
    out.out(`imgclass serve: ${server.url}  (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        out.err('Stopping…');
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
