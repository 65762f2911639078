import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizePeer, proxyIdentity } from '../../../lib/auth/proxy-auth';
import { parseConfig } from '../../../lib/config';

const cfg = parseConfig({ AUTH_MODE: 'proxy', AUTH_PROXY_ADDRESSES: '10.0.0.5, 10.1.0.0/16, fd00::/8' });
const policy = { list: cfg.AUTH_PROXY_ADDRESSES.list, peerHeaderTrusted: true };
const h = (o: Record<string, string>) => new Headers(o);

test('the proxy\'s headers count from its addresses only (IPv4, CIDR, IPv6, IPv4-mapped)', () => {
  const user = { 'x-forwarded-user': 'ann', 'x-forwarded-email': 'ann@example.com' };
  for (const peer of ['10.0.0.5', '::ffff:10.0.0.5', '10.1.200.3', 'fd00::1']) {
    assert.deepEqual(proxyIdentity(h({ ...user, 'x-trisight-peer': peer }), policy), { name: 'ann', email: 'ann@example.com' }, peer);
  }
  for (const peer of ['10.0.0.6', '127.0.0.1', '', 'not-an-ip', '10.2.0.1']) assert.equal(proxyIdentity(h({ ...user, 'x-trisight-peer': peer }), policy), null, peer);
  // Without our server in front, nothing vouches for x-trisight-peer.
  assert.equal(proxyIdentity(h({ ...user, 'x-trisight-peer': '10.0.0.5' }), { ...policy, peerHeaderTrusted: false }), null);
});

test('a user from the email alone; junk names are nobody', () => {
  const from = (o: Record<string, string>) => proxyIdentity(h({ ...o, 'x-trisight-peer': '10.0.0.5' }), policy);
  assert.deepEqual(from({ 'x-forwarded-email': 'bo@example.com' }), { name: 'bo@example.com', email: 'bo@example.com' });
  assert.deepEqual(from({ 'x-forwarded-user': 'bo', 'x-forwarded-email': 'not an email' }), { name: 'bo' });
  assert.equal(from({}), null);
  assert.equal(from({ 'x-forwarded-user': ' ' }), null);
  assert.equal(normalizePeer('::ffff:1.2.3.4'), '1.2.3.4');
});

test('proxy mode needs its addresses, given as IPs or CIDR ranges', () => {
  assert.throws(() => parseConfig({ AUTH_MODE: 'proxy' }), /AUTH_PROXY_ADDRESSES: AUTH_MODE=proxy needs the reverse proxy's addresses/);
  assert.throws(() => parseConfig({ AUTH_MODE: 'proxy', AUTH_PROXY_ADDRESSES: 'proxy.local' }), /expected IP addresses or CIDR ranges, got "proxy.local"/);
  assert.throws(() => parseConfig({ AUTH_MODE: 'proxy', AUTH_PROXY_ADDRESSES: '10.0.0.0/33' }), /AUTH_PROXY_ADDRESSES/);
  assert.equal(parseConfig({ AUTH_MODE: 'proxy', AUTH_PROXY_ADDRESSES: '::1', HOST: '0.0.0.0' }).AUTH_MODE, 'proxy');
});
