import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SloDefinition } from '../../../lib/slo/model';
import { changedFields, definitionDiff } from '../../../lib/slo/revision-diff';
import { sloTemplates } from '../../../lib/slo/templates';

const [ttft] = sloTemplates('semconv', 'sandbox').map((t) => SloDefinition.parse(t.definition));

test('changed fields and the YAML line diff between two revisions', () => {
  const next = SloDefinition.parse({ ...ttft, objective: 99, sli: { ...ttft.sli, thresholdSeconds: 1.5 } });
  assert.deepEqual(changedFields(ttft, next), ['sli.thresholdSeconds', 'objective']);
  const lines = definitionDiff(ttft, next);
  assert.deepEqual(
    lines.filter((l) => l.kind !== 'same').map((l) => `${l.kind === 'added' ? '+' : '-'}${l.text.trim()}`),
    // The two lines are adjacent in the YAML: one removed block, then one added block.
    ['-thresholdSeconds: 2', '-objective: 95', '+thresholdSeconds: 1.5', '+objective: 99'],
  );
  assert.deepEqual(changedFields(ttft, ttft), []);
  assert.ok(definitionDiff(ttft, ttft).every((l) => l.kind === 'same'));
});
