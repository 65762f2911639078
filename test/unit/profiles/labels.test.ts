import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelSyntaxError, parseAppName, parseLabelSelector } from '../../../lib/profiles/labels';

test('push names: app name becomes service_name; SDK-style unquoted values with dots and slashes', () => {
  const cases: [string, { service: string; labels: Record<string, string> }][] = [
    ['myapp', { service: 'myapp', labels: { service_name: 'myapp' } }],
    ['myapp{}', { service: 'myapp', labels: { service_name: 'myapp' } }],
    [
      'trisight-sandbox{otel.scope.name=com.grafana.pyroscope/nodejs,process.runtime.version=v20.20.2,env=dev}',
      { service: 'trisight-sandbox', labels: { 'otel.scope.name': 'com.grafana.pyroscope/nodejs', 'process.runtime.version': 'v20.20.2', env: 'dev', service_name: 'trisight-sandbox' } },
    ],
    ['app.cpu{region="eu-west"}', { service: 'app.cpu', labels: { region: 'eu-west', service_name: 'app.cpu' } }],
    ['app{service_name=other}', { service: 'other', labels: { service_name: 'other' } }],
  ];
  for (const [name, want] of cases) assert.deepEqual(parseAppName(name), want, name);
});

test('push names that are not app{k=v}: a reason naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['', /expected app\{key=value/],
    ['{a=b}', /expected app\{key=value|application name is empty/],
    ['app{a}', /label "a" is not key=value/],
    ['app{1x=y}', /invalid label name "1x"/],
    ['app{<img src=x>=1}', /invalid label name/],
  ];
  for (const [name, re] of cases) assert.throws(() => parseAppName(name), (e: unknown) => e instanceof LabelSyntaxError && re.test(e.message), name);
});

test('label selectors: the four matcher kinds, escapes, empty selectors', () => {
  assert.deepEqual(parseLabelSelector(''), []);
  assert.deepEqual(parseLabelSelector('{}'), []);
  assert.deepEqual(parseLabelSelector('{service_name="sandbox", env!="prod",pod=~"a.*" , zone!~"b|c"}'), [
    { name: 'service_name', op: '=', value: 'sandbox' },
    { name: 'env', op: '!=', value: 'prod' },
    { name: 'pod', op: '=~', value: 'a.*' },
    { name: 'zone', op: '!~', value: 'b|c' },
  ]);
  assert.deepEqual(parseLabelSelector('{a="say \\"hi\\"\\\\"}'), [{ name: 'a', op: '=', value: 'say "hi"\\' }]);
  assert.throws(() => parseLabelSelector('service_name="x"'), /must look like/);
  assert.throws(() => parseLabelSelector('{a=b}'), /cannot read/);
  assert.throws(() => parseLabelSelector('{a="b" c="d"}'), /cannot read/);
});
