import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ApiError, badRequest, describeError, errorFromBody, errorResponse, fetchJson } from '../../../lib/api-errors';
import { BackendError } from '../../../lib/model/types';

test('a BackendError survives the trip route → JSON → client', async () => {
  const res = errorResponse(new BackendError('tempo', 404, 'trace not found', 'not_found'));
  assert.equal(res.status, 502);
  const back = errorFromBody(res.status, await res.json());
  assert.ok(back instanceof BackendError);
  assert.equal(back.backend, 'tempo');
  assert.equal(back.status, 404);
  assert.equal(back.message, 'trace not found');
  assert.equal(back.errorType, 'not_found');
  assert.equal(describeError(back).text, 'Tempo: trace not found (HTTP 404)');
});

test('a query the backend refused as malformed is a 400; a backend that is not configured a 503', async () => {
  for (const [status, type] of [[400, 'bad_data'], [422, 'execution']] as const) {
    const res = errorResponse(new BackendError('prometheus', status, 'parse error at char 3', type));
    assert.equal(res.status, 400);
    const back = errorFromBody(res.status, await res.json());
    assert.ok(back instanceof BackendError && back.backend === 'prometheus' && back.status === status);
  }
  assert.equal(errorResponse(new BackendError('prometheus', 503, 'no Prometheus is configured', 'not_configured')).status, 503);
  assert.equal(errorResponse(new BackendError('prometheus', 503, 'overloaded')).status, 502);
});

test('timeouts stay 504; other errors are 500 with their message', async () => {
  assert.equal(errorResponse(new BackendError('prometheus', 504, 'slow')).status, 504);
  const res = errorResponse(new Error('boom'));
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: { message: 'boom' } });
});

test('badRequest names each field', async () => {
  const res = badRequest([
    { path: ['requests'], message: 'must be at most 10000' },
    { path: ['prompt', 'min'], message: 'expected a number' },
  ]);
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { message: string } };
  assert.equal(body.error.message, 'requests: must be at most 10000; prompt.min: expected a number');
});

test('unknown backends and bodies without an error become ApiError', () => {
  const e = errorFromBody(500, { error: { backend: 'mysql', message: 'x' } });
  assert.ok(e instanceof ApiError && !(e instanceof BackendError));
  assert.equal(errorFromBody(503, null).message, 'HTTP 503');
  assert.equal(describeError(new ApiError(400, 'requests: too many')).text, 'requests: too many');
  assert.equal(describeError('plain').text, 'plain');
});

test('fetchJson over real HTTP: JSON on success, typed errors otherwise', async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}');
    else if (req.url === '/backend') res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"backend":"pyroscope","status":400,"message":"invalid profile type"}}');
    else res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await fetchJson(`${base}/ok`), { a: 1 });
    await assert.rejects(fetchJson(`${base}/backend`), (e: unknown) => e instanceof BackendError && e.backend === 'pyroscope' && e.status === 400);
    await assert.rejects(fetchJson(`${base}/html`), (e: unknown) => e instanceof ApiError && e.status === 500 && e.message === '<h1>Internal</h1>');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
