import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUrl, plainTextError } from '../../../lib/datasources/http';

test('buildUrl: base path kept, arrays repeat the key, undefined left out, values encoded', () => {
  assert.equal(
    buildUrl('http://mimir:8080/prometheus/', '/api/v1/series', { 'match[]': ['up', 'a{b="c d"}'], start: 1, end: undefined }),
    'http://mimir:8080/prometheus/api/v1/series?match%5B%5D=up&match%5B%5D=a%7Bb%3D%22c+d%22%7D&start=1',
  );
});

test('plainTextError: body trimmed, else the status text, else the status', () => {
  assert.deepEqual(plainTextError(500, 'boom\n'), { message: 'boom' });
  assert.deepEqual(plainTextError(502, '  ', 'Bad Gateway'), { message: 'Bad Gateway' });
  assert.deepEqual(plainTextError(503, ''), { message: 'HTTP 503' });
});
