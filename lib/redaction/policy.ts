// The receivers' redaction policy and the readers' sensitivity policy, from
// the configuration (lib/config.ts).
import { config } from '@/lib/config';
import { KeyPolicy } from './keys';
import { sensitivityPolicy, type SensitivityPolicy } from './sensitivity';
import type { RedactionPolicy } from './telemetry';
import { Redactor } from './text';

let cached: RedactionPolicy | undefined;

/** The policy REDACTION_RULES, REDACTION_ALLOWED_KEYS and REDACTION_DROP_KEYS describe; built once. */
export function receiverRedaction(): RedactionPolicy {
  if (!cached) {
    const c = config();
    cached = { redactor: new Redactor(c.REDACTION_RULES), keys: new KeyPolicy({ allowed: c.REDACTION_ALLOWED_KEYS, dropped: c.REDACTION_DROP_KEYS }) };
  }
  return cached;
}

let sensitivityCached: SensitivityPolicy | undefined;

/** What SENSITIVITY_TAG and SENSITIVE_KEYS withhold from everyone but admins; built once. */
export function configuredSensitivity(): SensitivityPolicy {
  if (!sensitivityCached) {
    const c = config();
    sensitivityCached = sensitivityPolicy(c.SENSITIVITY_TAG, c.SENSITIVE_KEYS);
  }
  return sensitivityCached;
}
