// Two "hosts" on one machine: network namespaces joined by a veth pair, each with its own address,
// and an Open MPI rsh agent that starts a host's daemon inside its namespace (as ssh would on
// another machine). Needs root (CAP_NET_ADMIN) and iproute2.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TwoHosts {
  addresses: [string, string];
  /** The plm_rsh_agent script; it appends each host it is asked to reach to `agentLog`. */
  agent: string;
  agentLog: string;
  /** Runs argv inside host 0's namespace (where mpirun must run). */
  inFirst(argv: string[]): string[];
  remove(): void;
}

/** Why namespaces cannot be made here, or false when they can. */
export function namespacesSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const probe = `imgcprobe${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
    return false;
  } catch {
    return 'cannot create network namespaces here (ip netns add failed)';
  }
}

export function createTwoHosts(dir: string): TwoHosts {
  const id = process.pid % 100000;
  const ns: [string, string] = [`imgc${id}a`, `imgc${id}b`];
  const veth: [string, string] = [`vimg${id}a`, `vimg${id}b`];
  const addresses: [string, string] = ['10.151.0.1', '10.151.0.2'];
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  const remove = () => {
    for (const name of ns) {
      try {
        ip('netns', 'del', name); // takes its end of the veth pair, and so the pair, with it
      } catch {
        // not created
      }
    }
  };
  try {
    ns.forEach((name) => ip('netns', 'add', name));
    ip('link', 'add', veth[0], 'type', 'veth', 'peer', 'name', veth[1]);
    [0, 1].forEach((i) => {
      ip('link', 'set', veth[i], 'netns', ns[i]);
      ip('-n', ns[i], 'addr', 'add', `${addresses[i]}/24`, 'dev', veth[i]);
      ip('-n', ns[i], 'link', 'set', veth[i], 'up');
      ip('-n', ns[i], 'link', 'set', 'lo', 'up');
    });
  } catch (err) {
    remove();
    throw err;
  }
  const agent = path.join(dir, 'netns-rsh-agent.sh');
  const agentLog = path.join(dir, 'netns-rsh-agent.log');
  writeFileSync(
    agent,
    [
      '#!/bin/sh',
      '# Open MPI calls this as "agent HOST COMMAND...", like ssh: run COMMAND in the namespace that owns HOST.',
      'host=$1; shift',
      'case "$host" in',
      `  ${addresses[0]}) ns=${ns[0]} ;;`,
      `  ${addresses[1]}) ns=${ns[1]} ;;`,
      '  *) echo "no namespace for $host" >&2; exit 1 ;;',
      'esac',
      `echo "$host" >> ${agentLog}`,
      'exec ip netns exec "$ns" /bin/sh -c "$*"',
      '',
    ].join('\n'),
  );
  chmodSync(agent, 0o755);
  return { addresses, agent, agentLog, inFirst: (argv) => ['ip', 'netns', 'exec', ns[0], ...argv], remove };
}
