import type { DecodedError } from '@/lib/datasources/http';
import { Wire } from '@/lib/datasources/wire';
import { NameTable, emptyModel, modelFromStacks, type FlameModel } from '@/lib/model/flame';
import type { Labels, ProfileType, } from '@/lib/model/types';
import type { FlameGraphResult } from './types';

// Pure: Pyroscope Connect-JSON bodies → our model. No I/O.

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

/**
 * Pyroscope's level-ordered flame graph → our pre-order model. Every level
 * lists its nodes left to right in groups of `stride` numbers, each node's x
 * relative to the end of the previous node on that level (delta encoding); a
 * node's parent is the node on the level above whose [x, x + width) holds it.
 * `width(v, i)` is what nests (a diff's left + right); `put(v, i, node)` copies
 * a node's numbers into the model. Zero-width nodes carry nothing and are
 * dropped (their children are zero-width too).
 */
function modelFromLevels(
  names: string[],
  levels: number[][],
  stride: number,
  what: string,
  offset: (v: number[], i: number) => number,
  width: (v: number[], i: number) => number,
  nameIndex: (v: number[], i: number) => number,
  put: (m: FlameModel, v: number[], i: number) => void,
  diff: boolean,
): FlameModel {
  // Per level: value offsets of kept nodes, their x, and their first child on the next level.
  const at: number[][] = [];
  const xs: number[][] = [];
  const firstChild: number[][] = [];
  levels.forEach((values, level) => {
    if (values.length % stride !== 0) w.fail(`${what}.levels[${level}]`, `a multiple of ${stride} values`, values.length);
    const idx: number[] = [];
    const x0: number[] = [];
    const prevX = xs[level - 1] ?? [];
    const prevAt = at[level - 1] ?? [];
    const prevFirst = firstChild[level - 1] ?? [];
    firstChild[level] = [];
    let x = 0;
    let p = 0;
    for (let i = 0; i < values.length; i += stride) {
      x += offset(values, i);
      const wd = width(values, i);
      if (wd > 0) {
        if (level === 0) {
          if (idx.length) w.fail(`${what}.levels[0]`, 'a single root', values.length / stride);
        } else {
          while (p < prevAt.length && prevX[p] + width(levels[level - 1], prevAt[p]) <= x) p++;
          if (p >= prevAt.length || prevX[p] > x || x + wd > prevX[p] + width(levels[level - 1], prevAt[p])) {
            w.fail(`${what}.levels[${level}][${i}]`, 'inside a node of the level above', x);
          }
          if (prevFirst[p] === undefined) prevFirst[p] = idx.length;
        }
        idx.push(i);
        x0.push(x);
      }
      x += wd;
    }
    at[level] = idx;
    xs[level] = x0;
  });
  const m: FlameModel = { names, name: [], level: [], value: [], self: [] };
  if (diff) m.right = { value: [], self: [] };
  if (!at[0]?.length) return emptyModel(diff);
  // Pre-order: a node, then its children (a contiguous run on the next level) left to right.
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [level, k] = stack.pop()!;
    const v = levels[level];
    const i = at[level][k];
    const n = nameIndex(v, i);
    if (names[n] === undefined) w.fail(`${what} name index`, `< ${names.length}`, n);
    m.name.push(n);
    m.level.push(level);
    put(m, v, i);
    const first = firstChild[level][k];
    if (first === undefined) continue;
    const next = at[level + 1];
    const end = nextFirstAfter(firstChild[level], k + 1, next.length);
    for (let c = end - 1; c >= first; c--) stack.push([level + 1, c]);
  }
  return m;
}

/** The first child index of the next parent that has children, or `count`. */
function nextFirstAfter(first: number[], from: number, count: number): number {
  for (let j = from; j < first.length; j++) if (first[j] !== undefined) return first[j];
  return count;
}

function levelNumbers(levels: unknown, what: string): number[][] {
  return w.optArr(levels, `${what}.levels`).map((l, i) => {
    // Connect JSON wraps each level as {values: [int64 as strings]}; flamebearer uses plain arrays of numbers.
    const vals = Array.isArray(l) ? l : w.optArr(w.obj(l, `${what}.levels[${i}]`).values, `${what}.levels[${i}].values`);
    return vals.map((v, j) => w.num(v, `${what}.levels[${i}][${j}]`));
  });
}

/** Levels in groups of 4 (offset, total, self, name index) → model. */
export function modelFromFlameLevels(names: string[], levels: number[][], what = 'flamegraph'): FlameModel {
  return modelFromLevels(
    names,
    levels,
    4,
    what,
    (v, i) => v[i],
    (v, i) => v[i + 1],
    (v, i) => v[i + 3],
    (m, v, i) => {
      m.value.push(v[i + 1]);
      m.self.push(v[i + 2]);
    },
    false,
  );
}

/** `{flamegraph: {names, levels, total, maxSelf}}` of SelectMergeStacktraces / SelectMergeSpanProfile. */
export function parseFlameGraphResponse(body: unknown): FlameGraphResult {
  const o = w.obj(body, 'body');
  // proto3 JSON omits an empty message: no data in the range is no flamegraph key.
  if (o.flamegraph === undefined) return { flame: emptyModel(), maxSelf: 0 };
  const fg = w.obj(o.flamegraph, 'flamegraph');
  const names = w.optArr(fg.names, 'flamegraph.names').map((n, i) => w.str(n, `flamegraph.names[${i}]`));
  const flame = modelFromFlameLevels(names, levelNumbers(fg.levels, 'flamegraph'));
  return { flame, maxSelf: w.num0(fg.maxSelf, 'flamegraph.maxSelf') };
}

/** Levels in groups of 7 (left offset, total, self, right offset, total, self, name index) → diff model. */
export function modelFromDiffLevels(names: string[], levels: number[][], what = 'flamegraph'): FlameModel {
  // Left and right intervals nest the same way, so their sum (x_left + x_right,
  // width_left + width_right) nests too and places a node under its parent.
  return modelFromLevels(
    names,
    levels,
    7,
    what,
    (v, i) => v[i] + v[i + 3],
    (v, i) => v[i + 1] + v[i + 4],
    (v, i) => v[i + 6],
    (m, v, i) => {
      m.value.push(v[i + 1]);
      m.self.push(v[i + 2]);
      m.right!.value.push(v[i + 4]);
      m.right!.self.push(v[i + 5]);
    },
    true,
  );
}

/** `{flamegraph: FlameGraphDiff}` of Diff. */
export function parseDiffResponse(body: unknown): { flame: FlameModel; leftTicks: number; rightTicks: number; maxSelf: number } {
  const o = w.obj(body, 'body');
  const fg = w.obj(o.flamegraph ?? {}, 'flamegraph');
  const names = w.optArr(fg.names, 'flamegraph.names').map((n, i) => w.str(n, `flamegraph.names[${i}]`));
  return {
    flame: modelFromDiffLevels(names, levelNumbers(fg.levels, 'flamegraph')),
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

/**
 * SelectMergeProfile response: a google.v1.Profile (pprof) in Connect JSON →
 * the model of its `sampleIndex`-th sample type.
 */
export function parseProfileJson(body: unknown, sampleIndex = 0): FlameModel {
  const o = w.obj(body, 'body');
  const strings = w.optArr(o.stringTable, 'stringTable').map((s, i) => w.str(s, `stringTable[${i}]`));
  const text = (v: unknown, path: string) => strings[w.num0(v, path)] ?? '';
  const table = new NameTable();
  const fnName = new Map<number, number>();
  w.optArr(o.function, 'function').forEach((f, i) => {
    const fo = w.obj(f, `function[${i}]`);
    fnName.set(w.num(fo.id, `function[${i}].id`), table.id(text(fo.name, `function[${i}].name`) || text(fo.systemName, `function[${i}].systemName`) || '<unknown>'));
  });
  const locFrames = new Map<number, number[]>();
  w.optArr(o.location, 'location').forEach((l, i) => {
    const lo = w.obj(l, `location[${i}]`);
    const lines = w.optArr(lo.line, `location[${i}].line`);
    // pprof lists inlined frames innermost first; a location without symbols is named by its address.
    const frames = lines.length
      ? lines.map((ln, j) => fnName.get(w.num(w.obj(ln, `location[${i}].line[${j}]`).functionId, `location[${i}].line[${j}].functionId`)) ?? table.id('<unknown>')).reverse()
      : [table.id(`0x${w.num0(lo.address, `location[${i}].address`).toString(16)}`)];
    locFrames.set(w.num(lo.id, `location[${i}].id`), frames);
  });
  const stacks: number[][] = [];
  const values: number[] = [];
  w.optArr(o.sample, 'sample').forEach((s, i) => {
    const so = w.obj(s, `sample[${i}]`);
    const locs = w.optArr(so.locationId, `sample[${i}].locationId`).map((id, j) => w.num(id, `sample[${i}].locationId[${j}]`));
    const frames: number[] = [];
    // The leaf comes first in pprof; the model goes root → leaf.
    for (let j = locs.length - 1; j >= 0; j--) frames.push(...(locFrames.get(locs[j]) ?? [table.id(`<location ${locs[j]}>`)]));
    stacks.push(frames);
    values.push(w.num0(w.optArr(so.value, `sample[${i}].value`)[sampleIndex], `sample[${i}].value[${sampleIndex}]`));
  });
  return modelFromStacks({ names: table.names, stacks, values });
}
