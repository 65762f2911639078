// Real-shaped pprof pushes for the ingest benchmarks (test/bench/pprof-ingest.bench.ts,
// test/bench/embedded-stores.bench.ts).
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

/**
 * A Node-like wall+CPU pprof of about 50 KB gzipped: a fixed call graph (so
 * successive profiles share stacks, as a service's do) sampled with per-push
 * noise, half of the samples labelled with one of the push's own span ids
 * (requests are short: a span's samples sit in one or two pushes).
 */
export function makeProfile(seed: number, spanIds: string[]): Uint8Array {
  const st = new StringTable();
  const FUNCS = 1500;
  const fns = Array.from({ length: FUNCS }, (_, i) => new PFunction({ id: i + 1, name: st.dedup(`module${i % 40}.fn${i}`), filename: st.dedup(`/app/src/module${i % 40}.js`) }));
  const locs = Array.from({ length: FUNCS }, (_, i) => new Location({ id: i + 1, line: [new Line({ functionId: i + 1, line: 10 + (i % 200) })] }));
  let x = seed * 7919 + 1;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const spanKey = st.dedup('span_id');
  const spanStr = spanIds.map((s) => st.dedup(s));
  const samples: Sample[] = [];
  for (let i = 0; i < 1100; i++) {
    // Stacks drawn from a fixed family: the same (i mod 700) path each time.
    const k = i % 700;
    const depth = 12 + (k % 25);
    const stack: number[] = [];
    for (let d = 0; d < depth; d++) stack.push(1 + ((k * 31 + d * 17) % FUNCS));
    const labels = i % 2 === 0 ? [new Label({ key: spanKey, str: spanStr[(i >> 1) % spanStr.length] })] : [];
    const hits = 1 + Math.floor(rnd() * 3);
    samples.push(new Sample({ locationId: stack.reverse(), value: [hits, hits * 10_000_000, Math.floor(hits * 10_000_000 * rnd())], label: labels }));
  }
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('sample'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('wall'), unit: st.dedup('nanoseconds') }), new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })],
    periodType: new ValueType({ type: st.dedup('wall'), unit: st.dedup('nanoseconds') }),
    period: 10_000_000,
    function: fns,
    location: locs,
    sample: samples,
    stringTable: st,
    durationNanos: 10_000_000_000,
  });
  return gzipSync(p.encode());
}

