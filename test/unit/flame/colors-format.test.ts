import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIMMED, diffColor, frameColor } from '../../../components/flame/colors';
import { formatPercent, formatValue } from '../../../components/flame/format';

test('frameColor is stable per module and differs between modules', () => {
  assert.equal(frameColor('runtime', 'runtime.mallocgc'), frameColor('runtime', 'runtime.gcDrain'));
  assert.notEqual(frameColor('runtime', 'x'), frameColor('net/http', 'x'));
  // no module: the name is the key
  assert.notEqual(frameColor('', 'total'), frameColor('', '[unknown]'));
  assert.match(frameColor('a', 'b'), /^hsl\(\d+ \d+% \d+%\)$/);
  assert.notEqual(frameColor('a', 'b'), DIMMED);
});

test('diffColor: red for a larger share, blue for a smaller one, grey when unchanged', () => {
  const table: [number, number, RegExp][] = [
    [0.25, 0.6, /^hsl\(0 75% /],
    [0.75, 0.4, /^hsl\(215 75% /],
    [0.5, 0.5, /^hsl\(0 0% 85%\)$/],
    [0.5, 0.505, /^hsl\(0 0% 85%\)$/], // within 2 % relative: same
    [0, 0, /^hsl\(0 0% 85%\)$/],
    [0, 0.1, /^hsl\(0 75% 48%\)$/], // new frame: strongest red
  ];
  for (const [b, a, want] of table) assert.match(diffColor(b, a), want, `${b} → ${a}`);
  // a bigger change is darker
  const light = (c: string) => Number(/(\d+)%\)$/.exec(c)![1]);
  assert.ok(light(diffColor(0.5, 0.9)) < light(diffColor(0.5, 0.6)));
});

test('formatValue follows the pprof unit', () => {
  const table: [number, string, string][] = [
    [2_970_000_000, 'nanoseconds', '2.97 s'],
    [660_000_000, 'nanoseconds', '660 ms'],
    [850_000, 'nanoseconds', '850 µs'],
    [1500, 'microseconds', '1.50 ms'],
    [1536, 'bytes', '1.50 KiB'],
    [512, 'bytes', '512 B'],
    [1200, 'samples', '1,200 samples'],
    [7, 'count', '7'],
    [7, '', '7'],
  ];
  for (const [v, unit, want] of table) assert.equal(formatValue(v, unit), want, `${v} ${unit}`);
});

test('formatPercent keeps small shares readable', () => {
  assert.equal(formatPercent(26.8), '26.8 %');
  assert.equal(formatPercent(2.523), '2.52 %');
  assert.equal(formatPercent(0.0042), '0.0042 %');
  assert.equal(formatPercent(0), '0 %');
  assert.equal(formatPercent(NaN), '–');
});
