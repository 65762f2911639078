// What a start left running, written to TRISIGHT_DATA_DIR/run/launcher.json
// whenever a process starts: a later start after a `kill -9` of everything finds
// the previous start's processes by pid *and* start time (so a recycled pid is
// never mistaken for ours), stops them, and only then starts its own.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RecordedProcess {
  name: string;
  pid: number;
  /** Kernel start time (clock ticks since boot, /proc/<pid>/stat field 22). */
  startTicks: number;
}

export interface RunRecord {
  launcher: RecordedProcess;
  children: RecordedProcess[];
}

export function recordPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'launcher.json');
}

/** /proc/<pid>/stat's start time, or undefined when the process is gone. */
export function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19]); // field 22 overall
  } catch {
    return undefined;
  }
}

/** The same process as recorded: alive, and not a later process that reused the pid. */
export function isSameProcess(p: RecordedProcess): boolean {
  return startTicks(p.pid) === p.startTicks;
}

export function describe(pid: number, name: string): RecordedProcess {
  const t = startTicks(pid);
  if (t === undefined) throw new Error(`${name} (pid ${pid}) is not running`);
  return { name, pid, startTicks: t };
}

export function readRecord(dataDir: string): RunRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as RunRecord;
    return r?.launcher && Array.isArray(r.children) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic replace, so a kill mid-write never leaves half a record. */
export function writeRecord(dataDir: string, record: RunRecord): void {
  const file = recordPath(dataDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * Stops what a previous start left behind. Refuses when that start's launcher
 * itself is still alive (two launchers must not share a data dir). Returns a
 * line per process stopped.
 */
export async function stopLeftovers(dataDir: string, log: (m: string) => void): Promise<string[]> {
  const rec = readRecord(dataDir);
  if (!rec) return [];
  if (rec.launcher.pid !== process.pid && isSameProcess(rec.launcher)) {
    throw new Error(`another npm start (pid ${rec.launcher.pid}) is running with ${dataDir}; stop it first (Ctrl-C in its terminal, or kill ${rec.launcher.pid})`);
  }
  const stopped: string[] = [];
  // Reverse start order: the sandbox before the app, Postgres last.
  for (const p of [...rec.children].reverse()) {
    if (!isSameProcess(p)) continue;
    log(`stopping ${p.name} (pid ${p.pid}) left running by an earlier start`);
    signalGroup(p.pid, p.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    for (let i = 0; i < 100 && isSameProcess(p); i++) await sleep(100);
    if (isSameProcess(p)) signalGroup(p.pid, 'SIGKILL');
    for (let i = 0; i < 50 && isSameProcess(p); i++) await sleep(100);
    if (isSameProcess(p)) throw new Error(`${p.name} (pid ${p.pid}) left by an earlier start does not stop; kill it and start again`);
    stopped.push(`${p.name} (pid ${p.pid})`);
  }
  return stopped;
}

/** Our children lead their own process groups; signal the group, else the process. */
function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}
