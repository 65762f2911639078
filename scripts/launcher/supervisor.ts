// Keeps the launcher's processes running: starts them in order, restarts one
// that dies with exponential backoff, and stops them in reverse order.
import { spawn, type ChildProcess } from 'node:child_process';
import { describePortHolder, portIsFree } from './ports';
import { settlesWithin } from '../../lib/settles-within';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process the launcher runs: Postgres, Prometheus, the app, the sandbox. */
export interface Service {
  readonly name: string;
  readonly pid: number | undefined;
  /** Spawns it and resolves once it serves; can be called again after it died. */
  start(): Promise<void>;
  /** Stops it gracefully (SIGKILL after a grace period). */
  halt(): Promise<void>;
  /** Called when the process exits by itself. */
  onExit(fn: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

/** 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt);
}

/** A run this long before dying counts as healthy: the next crash restarts the backoff. */
const STABLE_MS = 60_000;

interface Entry {
  svc: Service;
  startedAt: number;
  attempt: number;
  timer?: NodeJS.Timeout;
}

export class Supervisor {
  private readonly entries: Entry[] = [];
  private stopping = false;
  /** The start in flight: stopAll() waits for it, so a Ctrl-C during start-up leaves nothing behind. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: (m: string) => void,
    /** After every (re)start: the launcher rewrites its run record. */
    private readonly onStarted: () => void,
  ) {}

  get services(): Service[] {
    return this.entries.map((e) => e.svc);
  }

  /** Starts `svc` (errors propagate: a start-up failure stops the start) and supervises it from then on. */
  async start(svc: Service): Promise<void> {
    const started = svc.start().then(() => {
      const entry: Entry = { svc, startedAt: Date.now(), attempt: 0 };
      this.entries.push(entry);
      svc.onExit((code, signal) => this.crashed(entry, code, signal));
      this.log(`started ${svc.name} (pid ${svc.pid})`);
      this.onStarted();
    });
    this.pending = started.catch(() => {});
    await started;
  }

  private crashed(e: Entry, code: number | null, signal: NodeJS.Signals | null) {
    if (this.stopping) return;
    if (Date.now() - e.startedAt > STABLE_MS) e.attempt = 0;
    const delay = backoffMs(e.attempt++);
    this.log(`${e.svc.name} exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`);
    e.timer = setTimeout(() => void this.restart(e), delay);
  }

  private async restart(e: Entry) {
    e.timer = undefined;
    if (this.stopping) return;
    try {
      await e.svc.start();
      e.startedAt = Date.now();
      this.log(`${e.svc.name} restarted (pid ${e.svc.pid})`);
      this.onStarted();
    } catch (err) {
      if (this.stopping) return;
      const delay = backoffMs(e.attempt++);
      this.log(`${e.svc.name} did not restart: ${(err as Error).message.split('\n')[0]}; trying again in ${delay / 1000} s`);
      e.timer = setTimeout(() => void this.restart(e), delay);
    }
  }

  /** Stops everything, the last started first. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await this.pending;
    for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
    for (const e of [...this.entries].reverse()) {
      try {
        await e.svc.halt();
      } catch (err) {
        this.log(`stopping ${e.svc.name}: ${(err as Error).message}`);
      }
    }
  }
}

export interface ChildServiceOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The port it will listen on: must be free before it starts. */
  port: number;
  /** Answered with a status < 500 once it serves. */
  readyUrl: string;
  readyTimeoutMs?: number;
  /** How long SIGTERM may take (the sandbox drains its requests). */
  graceMs?: number;
}

/** A Node server we spawn: the Next.js app or the sandbox. */
export class ChildService implements Service {
  private proc?: ChildProcess;
  private listeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];

  constructor(private readonly o: ChildServiceOptions) {}

  get name() {
    return this.o.name;
  }

  get pid() {
    return this.proc?.pid;
  }

  onExit(fn: (code: number | null, signal: NodeJS.Signals | null) => void) {
    this.listeners.push(fn);
  }

  async start(): Promise<void> {
    // Never call ready a server we did not start: the port must be free first.
    if (!(await portIsFree(this.o.port))) throw new Error(`${this.o.name}: ${describePortHolder(this.o.port)}; stop it or choose another port`);
    // Its own process group: a terminal's Ctrl-C reaches only the launcher, which stops children in order.
    const proc = spawn(this.o.command, this.o.args, { env: this.o.env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    let gone: string | undefined;
    proc.once('exit', (code, signal) => (gone = signal ?? `code ${code}`));
    proc.once('error', (e) => (gone = e.message));
    const deadline = Date.now() + (this.o.readyTimeoutMs ?? 120_000);
    let last = '';
    for (;;) {
      if (gone) throw new Error(`${this.o.name} exited during start-up (${gone})`);
      if (Date.now() > deadline) {
        killGroup(proc, 'SIGKILL');
        throw new Error(`${this.o.name} did not answer at ${this.o.readyUrl} within ${(this.o.readyTimeoutMs ?? 120_000) / 1000} s (${last})`);
      }
      try {
        const r = await fetch(this.o.readyUrl, { signal: AbortSignal.timeout(2000) });
        await r.body?.cancel();
        if (r.status < 500) break;
        last = `HTTP ${r.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(250);
    }
    this.proc = proc;
    proc.once('exit', (code, signal) => {
      if (this.proc !== proc) return; // halted on purpose
      this.proc = undefined;
      for (const fn of this.listeners) fn(code, signal);
    });
  }

  async halt(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    killGroup(proc, 'SIGTERM');
    if (!(await settlesWithin(exited, this.o.graceMs ?? 10_000))) {
      killGroup(proc, 'SIGKILL');
      await exited;
    }
    // Anything it started in its group goes with it.
    killGroup(proc, 'SIGKILL');
  }
}

/** Signals the child's process group (it leads one), falling back to the process. */
export function killGroup(proc: ChildProcess, signal: NodeJS.Signals) {
  if (!proc.pid) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {}
  }
}
