import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameParts, moduleOf } from '../../../lib/model/flame';

test('frameParts puts the function first and shortens the file, for the Node SDK name format', () => {
  const table: [string, { fn: string; file?: string; line?: number; label: string }][] = [
    ['./workers/sandbox/kernels/cpu/matmul.ts:matmul:42', { fn: 'matmul', file: 'workers/sandbox/kernels/cpu/matmul.ts', line: 42, label: 'matmul · cpu/matmul.ts:42' }],
    ['./node_modules/express/lib/router/index.js:next:275', { fn: 'next', file: 'express/lib/router/index.js', line: 275, label: 'next · router/index.js:275' }],
    ['node:internal/streams/readable:Readable.push:228', { fn: 'Readable.push', file: 'node:internal/streams/readable', line: 228, label: 'Readable.push · streams/readable:228' }],
    ['node:events:emit:532', { fn: 'emit', file: 'node:events', line: 532, label: 'emit · node:events:532' }],
    // Anonymous functions are named by their place.
    ['./index.js:(anonymous):19', { fn: '(anonymous)', file: 'index.js', line: 19, label: '(anonymous) index.js:19' }],
    ['./w/a.ts:(anonymous:L#7:C#4247):0', { fn: '(anonymous)', file: 'w/a.ts', line: 7, label: '(anonymous) w/a.ts:7' }],
    // No file, no line: the name alone.
    [':(external):0', { fn: '(external)', label: '(external)' }],
    [':execute:131', { fn: 'execute', line: 131, label: 'execute' }],
    // Other profilers' names are left as they are.
    ['runtime.mallocgc', { fn: 'runtime.mallocgc', label: 'runtime.mallocgc' }],
    ['net/http.(*conn).serve', { fn: 'net/http.(*conn).serve', label: 'net/http.(*conn).serve' }],
    ['std::vec::Vec<T>::push', { fn: 'std::vec::Vec<T>::push', label: 'std::vec::Vec<T>::push' }],
  ];
  for (const [name, want] of table) assert.deepEqual(frameParts(name), want, name);
});

test('moduleOf reads a package, file or import path out of a frame name', () => {
  const table: [string, string][] = [
    ['node:internal/streams/readable', 'node:internal'],
    ['node:fs', 'node:fs'],
    ['workers/sandbox/kernels/matmul.ts:matmul', 'matmul.ts'],
    ['./node_modules/@scope/pkg/lib/x.js:f:3', '@scope/pkg'],
    ['runtime.mallocgc', 'runtime'],
    ['net/http.(*conn).serve', 'net/http'],
    ['github.com/x/y.F', 'github.com/x/y'],
    ['std::vec::Vec::push', 'std'],
    ['total', ''],
    ['[unknown]', ''],
  ];
  for (const [name, want] of table) assert.equal(moduleOf(name), want, name);
});
