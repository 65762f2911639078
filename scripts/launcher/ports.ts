// Who holds a TCP port: before starting a server on a fixed port, the launcher
// says exactly what is in the way instead of calling someone else's process ready.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';

/** true when nothing listens on 127.0.0.1:port (we could bind it now). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp*. */
export function listeningInodes(port: number, tables = ['/proc/net/tcp', '/proc/net/tcp6']): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const t of tables) {
    let text = '';
    try {
      text = readFileSync(t, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; st 0A is LISTEN; inode is the 10th field.
      if (f.length > 9 && f[1].endsWith(`:${hexPort}`) && f[3] === '0A') out.push(f[9]);
    }
  }
  return out;
}

export interface PortHolder {
  pid: number;
  command: string;
}

/** The processes (of those this user may inspect) that hold a listening socket on `port`. */
export function portHolders(port: number): PortHolder[] {
  const inodes = new Set(listeningInodes(port).map((i) => `socket:[${i}]`));
  if (!inodes.size) return [];
  const out: PortHolder[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${d}/fd`);
    } catch {
      continue; // another user's process
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${d}/fd/${fd}`);
      } catch {
        continue;
      }
      if (inodes.has(target)) {
        out.push({ pid: Number(d), command: commandLine(Number(d)) });
        break;
      }
    }
  }
  return out;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '?';
  }
}

/** One line saying what holds the port, for an error message. */
export function describePortHolder(port: number): string {
  const holders = portHolders(port);
  if (!holders.length) return `port ${port} on 127.0.0.1 is in use by a process of another user`;
  return `port ${port} on 127.0.0.1 is in use by ${holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ')}`;
}
