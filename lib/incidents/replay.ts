// The API requests a shared view may replay, server-side: to freeze its data
// when a link is created, and to answer a live link's reader. Each entry is
// the route handler the browser itself calls (loaded on demand), so a replayed
// answer is exactly what the page got — same validation, same backend, same
// viewer rules (the reader's own request headers travel with it). Only reads
// that draw a view are here: no mutations, no streams, no editor completion.

type RouteModule = { GET: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> };

interface Replayable {
  pattern: RegExp;
  /** names of the pattern's groups, in order */
  params: string[];
  load: () => Promise<RouteModule>;
}

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const SEGMENT = '([^/?#]+)';
const route = (path: string, params: string[], load: () => Promise<unknown>): Replayable => ({
  pattern: new RegExp(`^${path.replaceAll('.', '\\.')}$`),
  params,
  load: load as () => Promise<RouteModule>,
});

const REPLAYABLE: readonly Replayable[] = [
  route('/api/prometheus/query_range', [], () => import('@/app/api/prometheus/query_range/route')),
  route('/api/prometheus/query', [], () => import('@/app/api/prometheus/query/route')),
  route('/api/prometheus/query_exemplars', [], () => import('@/app/api/prometheus/query_exemplars/route')),
  route('/api/prometheus/heatmap', [], () => import('@/app/api/prometheus/heatmap/route')),
  route('/api/prometheus/presets', [], () => import('@/app/api/prometheus/presets/route')),
  route('/api/traces/search', [], () => import('@/app/api/traces/search/route')),
  route('/api/traces/heatmap', [], () => import('@/app/api/traces/heatmap/route')),
  route('/api/traces/red', [], () => import('@/app/api/traces/red/route')),
  route('/api/traces/quality', [], () => import('@/app/api/traces/quality/route')),
  route(`/api/traces/tags/${SEGMENT}/values`, ['name'], () => import('@/app/api/traces/tags/[name]/values/route')),
  route(`/api/traces/${SEGMENT}`, ['traceId'], () => import('@/app/api/traces/[traceId]/route')),
  route('/api/profiles/types', [], () => import('@/app/api/profiles/types/route')),
  route('/api/profiles/labels', [], () => import('@/app/api/profiles/labels/route')),
  route('/api/profiles/label-values', [], () => import('@/app/api/profiles/label-values/route')),
  route('/api/profiles/flame', [], () => import('@/app/api/profiles/flame/route')),
  route('/api/profiles/diff', [], () => import('@/app/api/profiles/diff/route')),
  route('/api/profiles/span', [], () => import('@/app/api/profiles/span/route')),
  route('/api/profiles/slow-vs-fast', [], () => import('@/app/api/profiles/slow-vs-fast/route')),
  route('/api/runs', [], () => import('@/app/api/runs/route')),
  route(`/api/runs/${UUID}`, ['id'], () => import('@/app/api/runs/[id]/route')),
  route(`/api/runs/${UUID}/latency`, ['id'], () => import('@/app/api/runs/[id]/latency/route')),
  route(`/api/runs/${UUID}/flame`, ['id'], () => import('@/app/api/runs/[id]/flame/route')),
  route(`/api/runs/${UUID}/traces`, ['id'], () => import('@/app/api/runs/[id]/traces/route')),
  route(`/api/runs/${UUID}/span-profile`, ['id'], () => import('@/app/api/runs/[id]/span-profile/route')),
  route(`/api/runs/${UUID}/slos`, ['id'], () => import('@/app/api/runs/[id]/slos/route')),
  route(`/api/runs/${UUID}/quality`, ['id'], () => import('@/app/api/runs/[id]/quality/route')),
  route('/api/slos', [], () => import('@/app/api/slos/route')),
  route('/api/slos/status', [], () => import('@/app/api/slos/status/route')),
  route(`/api/slos/${UUID}`, ['id'], () => import('@/app/api/slos/[id]/route')),
  route(`/api/slos/${UUID}/status`, ['id'], () => import('@/app/api/slos/[id]/status/route')),
  route(`/api/slos/${UUID}/revisions`, ['id'], () => import('@/app/api/slos/[id]/revisions/route')),
  route('/api/targets', [], () => import('@/app/api/targets/route')),
];

/** The route a request key goes to, with its path parameters; null when it is not a replayable read. */
export function findReplayable(key: string): { entry: Replayable; params: Record<string, string> } | null {
  let url: URL;
  try {
    url = new URL(key, 'http://replay.invalid');
  } catch {
    return null;
  }
  if (url.origin !== 'http://replay.invalid') return null;
  for (const entry of REPLAYABLE) {
    const m = entry.pattern.exec(url.pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    entry.params.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]);
    });
    return { entry, params };
  }
  return null;
}

export const isReplayable = (key: string): boolean => findReplayable(key) !== null;

/** Headers of the reader that the replayed route may look at (who is asking); nothing else travels. */
const FORWARDED = ['cookie', 'authorization', 'x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'accept-language'];

export interface ReplayAnswer {
  status: number;
  /** the JSON body, or null when the route did not answer JSON */
  body: unknown;
  /** bytes of the JSON text */
  bytes: number;
}

/** Runs one request through its route handler as the reader (their headers), with their AbortSignal. */
export async function replay(key: string, opts: { origin: string; headers?: Headers; signal?: AbortSignal }): Promise<ReplayAnswer> {
  const found = findReplayable(key);
  if (!found) return { status: 404, body: { error: { message: `not a request a shared view can make: ${key.slice(0, 200)}` } }, bytes: 0 };
  const headers = new Headers({ accept: 'application/json' });
  for (const h of FORWARDED) {
    const v = opts.headers?.get(h);
    if (v) headers.set(h, v);
  }
  const mod = await found.entry.load();
  const res = await mod.GET(new Request(new URL(key, opts.origin), { headers, signal: opts.signal }), { params: Promise.resolve(found.params) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text), bytes: Buffer.byteLength(text) };
  } catch {
    return { status: res.status, body: null, bytes: Buffer.byteLength(text) };
  }
}
