import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedHosts, guardRequest } from '../../../workers/sandbox/serve/guard';
import { parseSandboxEnv } from '../../../workers/sandbox/serve/env';

test('sandbox guard: a table of requests', () => {
  const allowed = allowedHosts('0.0.0.0', ['sandbox']);
  const json = { 'content-type': 'application/json' };
  const table: [string, string, Record<string, string>, number | null][] = [
    ['program JSON POST', 'POST', { host: '127.0.0.1:8100', ...json }, null],
    ['compose name', 'POST', { host: 'sandbox:8100', ...json }, null],
    ['GET metrics', 'GET', { host: 'localhost:8100' }, null],
    ['text/plain', 'POST', { host: '127.0.0.1:8100', 'content-type': 'text/plain' }, 415],
    ['no content type', 'POST', { host: '127.0.0.1:8100' }, 415],
    ['foreign origin', 'POST', { host: '127.0.0.1:8100', origin: 'http://evil.example', ...json }, 403],
    ['origin "null"', 'POST', { host: '127.0.0.1:8100', origin: 'null', ...json }, 403],
    ['its own origin', 'POST', { host: '127.0.0.1:8100', origin: 'http://127.0.0.1:8100', ...json }, null],
    ['cross-site metadata', 'POST', { host: '127.0.0.1:8100', 'sec-fetch-site': 'cross-site', ...json }, 403],
    ['rebinding host', 'GET', { host: 'rebind.attacker.example:8100' }, 403],
    ['0.0.0.0 is no name', 'GET', { host: '0.0.0.0:8100' }, 403],
    ['no host', 'GET', {}, 403],
  ];
  for (const [name, method, headers, status] of table) assert.equal(guardRequest(method, headers, allowed)?.status ?? null, status, name);
  assert.deepEqual(allowedHosts('10.0.0.3'), ['10.0.0.3']);
});

test('SANDBOX_ALLOWED_HOSTS is a comma-separated list', () => {
  assert.deepEqual(parseSandboxEnv({ SANDBOX_ALLOWED_HOSTS: 'sandbox, sandbox.internal' }).allowedHosts, ['sandbox', 'sandbox.internal']);
  assert.throws(() => parseSandboxEnv({ SANDBOX_ALLOWED_HOSTS: 'a b' }), /SANDBOX_ALLOWED_HOSTS/);
});
