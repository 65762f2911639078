import type { DecodedError } from '@/lib/datasources/http';
import { Wire } from '@/lib/datasources/wire';
import { flameTreeFromStacks } from '@/lib/profiles';
import type { DiffFlameTree, FlameTree, Labels, ProfileType, Series } from '@/lib/model/types';
import type { FlameGraphResult, RenderResult } from './types';

// Pure: Pyroscope Connect-JSON and flamebearer bodies → our model. No I/O.

const w = new Wire('pyroscope');

/** Connect error `{code, message}` → the message verbatim with the code as its type; anything else as text. */
export function decodeConnectError(status: number, body: string, statusText = ''): DecodedError {
  try {
    const j = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (typeof j?.code === 'string') return { message: typeof j.message === 'string' && j.message ? j.message : j.code, errorType: j.code };
  } catch {
    // not JSON
  }
  const text = body.trim();
  return { message: text || statusText || `HTTP ${status}` };
}

/** A node being placed: its absolute x and width on its level. */
interface Placed<N> {
  x: number;
  width: number;
  node: N;
}

/**
 * Rebuilds a tree from Pyroscope's level-ordered layout. Every level lists its
 * nodes left to right in groups of `stride` numbers; each node's x is given
 * relative to the end of the previous node on that level (delta encoding).
 * A node's parent is the node on the level above whose [x, x + width) holds it.
 * Zero-width nodes carry nothing and are dropped (their children are zero-width too).
 */
function unflatten<N extends { children: N[] }>(
  levels: number[][],
  stride: number,
  what: string,
  offset: (v: number[], i: number) => number,
  width: (v: number[], i: number) => number,
  make: (v: number[], i: number) => N,
): N | undefined {
  let prev: Placed<N>[] = [];
  let root: N | undefined;
  levels.forEach((values, level) => {
    if (values.length % stride !== 0) w.fail(`${what}.levels[${level}]`, `a multiple of ${stride} values`, values.length);
    const cur: Placed<N>[] = [];
    let x = 0;
    let p = 0;
    for (let i = 0; i < values.length; i += stride) {
      x += offset(values, i);
      const wd = width(values, i);
      const node = make(values, i);
      if (wd > 0) {
        if (level === 0) {
          if (root) w.fail(`${what}.levels[0]`, 'a single root', values.length / stride);
          root = node;
        } else {
          while (p < prev.length && prev[p].x + prev[p].width <= x) p++;
          const parent = prev[p];
          if (!parent || parent.x > x || x + wd > parent.x + parent.width) w.fail(`${what}.levels[${level}][${i}]`, 'inside a node of the level above', x);
          parent.node.children.push(node);
        }
        cur.push({ x, width: wd, node });
      }
      x += wd;
    }
    prev = cur;
  });
  return root;
}

function nameAt(names: string[], v: number[], i: number, what: string): string {
  const n = names[v[i]];
  if (n === undefined) w.fail(`${what} name index`, `< ${names.length}`, v[i]);
  return n;
}

function levelNumbers(levels: unknown, what: string): number[][] {
  return w.optArr(levels, `${what}.levels`).map((l, i) => {
    // Connect JSON wraps each level as {values: [int64 as strings]}; flamebearer uses plain arrays of numbers.
    const vals = Array.isArray(l) ? l : w.optArr(w.obj(l, `${what}.levels[${i}]`).values, `${what}.levels[${i}].values`);
    return vals.map((v, j) => w.num(v, `${what}.levels[${i}][${j}]`));
  });
}

const emptyTree = (): FlameTree => ({ name: 'total', self: 0, total: 0, children: [] });

/** Levels in groups of 4 (offset, total, self, name index) → FlameTree. */
export function flameTreeFromLevels(names: string[], levels: number[][], what = 'flamegraph'): FlameTree {
  return (
    unflatten<FlameTree>(
      levels,
      4,
      what,
      (v, i) => v[i],
      (v, i) => v[i + 1],
      (v, i) => ({ name: nameAt(names, v, i + 3, what), total: v[i + 1], self: v[i + 2], children: [] }),
    ) ?? emptyTree()
  );
}

/** `{flamegraph: {names, levels, total, maxSelf}}` of SelectMergeStacktraces / SelectMergeSpanProfile. */
export function parseFlameGraphResponse(body: unknown): FlameGraphResult {
  const o = w.obj(body, 'body');
  // proto3 JSON omits an empty message: no data in the range is no flamegraph key.
  if (o.flamegraph === undefined) return { tree: emptyTree(), maxSelf: 0 };
  const fg = w.obj(o.flamegraph, 'flamegraph');
  const names = w.optArr(fg.names, 'flamegraph.names').map((n, i) => w.str(n, `flamegraph.names[${i}]`));
  const tree = flameTreeFromLevels(names, levelNumbers(fg.levels, 'flamegraph'));
  return { tree, maxSelf: w.num0(fg.maxSelf, 'flamegraph.maxSelf') };
}

/** Levels in groups of 7 (left offset, total, self, right offset, total, self, name index) → DiffFlameTree. */
export function diffTreeFromLevels(names: string[], levels: number[][], what = 'flamegraph'): DiffFlameTree {
  // Left and right intervals nest the same way, so their sum (x_left + x_right,
  // width_left + width_right) nests too and places a node under its parent.
  return (
    unflatten<DiffFlameTree>(
      levels,
      7,
      what,
      (v, i) => v[i] + v[i + 3],
      (v, i) => v[i + 1] + v[i + 4],
      (v, i) => ({
        name: nameAt(names, v, i + 6, what),
        left: { total: v[i + 1], self: v[i + 2] },
        right: { total: v[i + 4], self: v[i + 5] },
        children: [],
      }),
    ) ?? { name: 'total', left: { self: 0, total: 0 }, right: { self: 0, total: 0 }, children: [] }
  );
}

/** `{flamegraph: FlameGraphDiff}` of Diff. */
export function parseDiffResponse(body: unknown): { tree: DiffFlameTree; leftTicks: number; rightTicks: number; maxSelf: number } {
  const o = w.obj(body, 'body');
  const fg = w.obj(o.flamegraph ?? {}, 'flamegraph');
  const names = w.optArr(fg.names, 'flamegraph.names').map((n, i) => w.str(n, `flamegraph.names[${i}]`));
  return {
    tree: diffTreeFromLevels(names, levelNumbers(fg.levels, 'flamegraph')),
    leftTicks: w.num0(fg.leftTicks, 'flamegraph.leftTicks'),
    rightTicks: w.num0(fg.rightTicks, 'flamegraph.rightTicks'),
    maxSelf: w.num0(fg.maxSelf, 'flamegraph.maxSelf'),
  };
}

/** A profile type id `<name>:<sample type>:<sample unit>:<period type>:<period unit>` → ProfileType. */
export function profileTypeFromId(id: string): ProfileType {
  const parts = id.split(':');
  if (parts.length !== 5) w.fail('profile type id', 'name:sampleType:sampleUnit:periodType:periodUnit', id);
  const [name, sampleType, sampleUnit, periodType, periodUnit] = parts;
  return { id, name, sampleType, sampleUnit, periodType, periodUnit };
}

/** ProfileTypes response `{profileTypes: [{ID, name, sampleType, …}]}`. */
export function parseProfileTypes(body: unknown): ProfileType[] {
  return w.optArr(w.obj(body, 'body').profileTypes, 'profileTypes').map((t, i) => {
    const o = w.obj(t, `profileTypes[${i}]`);
    const id = w.str(o.ID, `profileTypes[${i}].ID`);
    const s = (k: string) => w.optStr(o[k], `profileTypes[${i}].${k}`);
    const fromId = profileTypeFromId(id);
    return {
      id,
      name: s('name') ?? fromId.name,
      sampleType: s('sampleType') ?? fromId.sampleType,
      sampleUnit: s('sampleUnit') ?? fromId.sampleUnit,
      periodType: s('periodType') ?? fromId.periodType,
      periodUnit: s('periodUnit') ?? fromId.periodUnit,
    };
  });
}

/** LabelNames / LabelValues response `{names: [...]}`. */
export function parseNames(body: unknown): string[] {
  return w.optArr(w.obj(body, 'body').names, 'names').map((n, i) => w.str(n, `names[${i}]`));
}

function labelPairs(v: unknown, path: string): Labels {
  const out: Labels = {};
  w.optArr(v, path).forEach((p, i) => {
    const o = w.obj(p, `${path}[${i}]`);
    out[w.str(o.name, `${path}[${i}].name`)] = w.optStr(o.value, `${path}[${i}].value`) ?? '';
  });
  return out;
}

/** Series response `{labelsSet: [{labels: [{name, value}]}]}`. */
export function parseLabelsSet(body: unknown): Labels[] {
  return w.optArr(w.obj(body, 'body').labelsSet, 'labelsSet').map((l, i) => labelPairs(w.obj(l, `labelsSet[${i}]`).labels, `labelsSet[${i}].labels`));
}

/** SelectSeries response `{series: [{labels, points: [{value, timestamp (ms, string)}]}]}`; an empty label set is omitted on the wire. */
export function parseSelectSeries(body: unknown): Series[] {
  return w.optArr(w.obj(body, 'body').series, 'series').map((s, i) => {
    const o = w.obj(s, `series[${i}]`);
    return {
      labels: labelPairs(o.labels, `series[${i}].labels`),
      values: w.optArr(o.points, `series[${i}].points`).map((pt, j): [number, number] => {
        const p = w.obj(pt, `series[${i}].points[${j}]`);
        return [w.num(p.timestamp, `series[${i}].points[${j}].timestamp`), w.num0(p.value, `series[${i}].points[${j}].value`)];
      }),
    };
  });
}

/**
 * SelectMergeProfile response: a google.v1.Profile (pprof) in Connect JSON →
 * FlameTree of its `sampleIndex`-th sample type. Stacks are built here from
 * the JSON; the tree itself by the same code the embedded store uses.
 */
export function parseProfileJson(body: unknown, sampleIndex = 0): FlameTree {
  const o = w.obj(body, 'body');
  const strings = w.optArr(o.stringTable, 'stringTable').map((s, i) => w.str(s, `stringTable[${i}]`));
  const text = (v: unknown, path: string) => strings[w.num0(v, path)] ?? '';
  const fnName = new Map<number, string>();
  w.optArr(o.function, 'function').forEach((f, i) => {
    const fo = w.obj(f, `function[${i}]`);
    fnName.set(w.num(fo.id, `function[${i}].id`), text(fo.name, `function[${i}].name`) || text(fo.systemName, `function[${i}].systemName`) || '<unknown>');
  });
  const locFrames = new Map<number, string[]>();
  w.optArr(o.location, 'location').forEach((l, i) => {
    const lo = w.obj(l, `location[${i}]`);
    const lines = w.optArr(lo.line, `location[${i}].line`);
    // pprof lists inlined frames innermost first; a location without symbols is named by its address.
    const frames = lines.length
      ? lines.map((ln, j) => fnName.get(w.num(w.obj(ln, `location[${i}].line[${j}]`).functionId, `location[${i}].line[${j}].functionId`)) ?? '<unknown>').reverse()
      : [`0x${w.num0(lo.address, `location[${i}].address`).toString(16)}`];
    locFrames.set(w.num(lo.id, `location[${i}].id`), frames);
  });
  const stacks: string[][] = [];
  const weights: { stack: number; value: number }[] = [];
  w.optArr(o.sample, 'sample').forEach((s, i) => {
    const so = w.obj(s, `sample[${i}]`);
    const locs = w.optArr(so.locationId, `sample[${i}].locationId`).map((id, j) => w.num(id, `sample[${i}].locationId[${j}]`));
    const frames: string[] = [];
    // The leaf comes first in pprof; flame trees go root → leaf.
    for (let j = locs.length - 1; j >= 0; j--) frames.push(...(locFrames.get(locs[j]) ?? [`<location ${locs[j]}>`]));
    const values = w.optArr(so.value, `sample[${i}].value`);
    weights.push({ stack: stacks.push(frames) - 1, value: w.num0(values[sampleIndex], `sample[${i}].value[${sampleIndex}]`) });
  });
  return flameTreeFromStacks(stacks, weights);
}

/** Legacy GET /pyroscope/render body (flamebearer, format "single") → tree, metadata and timeline. */
export function parseRender(body: unknown): RenderResult {
  const o = w.obj(body, 'body');
  const fb = w.obj(o.flamebearer, 'flamebearer');
  const md = o.metadata === undefined ? {} : w.obj(o.metadata, 'metadata');
  const format = w.optStr(md.format, 'metadata.format') ?? 'single';
  if (format !== 'single') w.fail('metadata.format', '"single" (a diff is rendered by Diff)', format);
  const names = w.arr(fb.names, 'flamebearer.names').map((n, i) => w.str(n, `flamebearer.names[${i}]`));
  const tree = flameTreeFromLevels(names, levelNumbers(fb.levels, 'flamebearer'), 'flamebearer');
  const timeline: Series = { labels: {}, values: [] };
  if (o.timeline !== undefined && o.timeline !== null) {
    const t = w.obj(o.timeline, 'timeline');
    const start = w.num(t.startTime, 'timeline.startTime');
    const delta = w.num(t.durationDelta, 'timeline.durationDelta');
    timeline.values = w.optArr(t.samples, 'timeline.samples').map((v, i) => [(start + i * delta) * 1000, w.num(v, `timeline.samples[${i}]`)]);
  }
  const result: RenderResult = { tree, maxSelf: w.num0(fb.maxSelf, 'flamebearer.maxSelf'), format, timeline };
  if (md.sampleRate !== undefined) result.sampleRate = w.num(md.sampleRate, 'metadata.sampleRate');
  if (md.units !== undefined) result.units = w.str(md.units, 'metadata.units');
  if (md.spyName !== undefined) result.spyName = w.str(md.spyName, 'metadata.spyName');
  return result;
}
