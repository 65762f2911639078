// The load targets a run may be fired at: the bundled sandbox plus what the operator
// lists in LOAD_TARGETS. The browser only ever sends a target's name; URLs stay here.
import type { Config } from '@/lib/config';
import { BROWSER_TARGET } from '@/lib/browser-run/schema';
import { isPresetId, PRESET_IDS, PRESETS, type ServingMetricsPreset } from './presets';

export const SANDBOX_TARGET = 'sandbox';

export interface LoadTarget {
  name: string;
  /** base URL of the OpenAI-compatible server; never sent to the browser */
  url: string;
  preset: ServingMetricsPreset;
  /** the bundled sandbox */
  builtin: boolean;
}

/** What GET /api/targets returns: everything but the URL. */
export type PublicTarget = Omit<LoadTarget, 'url'>;

export class TargetConfigError extends Error {}

type TargetConfig = Pick<Config, 'SANDBOX_URL' | 'SANDBOX_PORT' | 'LOAD_TARGETS'>;

export function sandboxUrl(cfg: Pick<Config, 'SANDBOX_URL' | 'SANDBOX_PORT'>): string {
  return cfg.SANDBOX_URL ?? `http://127.0.0.1:${cfg.SANDBOX_PORT}`;
}

/** All targets, the sandbox first. Throws TargetConfigError naming a bad LOAD_TARGETS entry. */
export function loadTargets(cfg: TargetConfig): LoadTarget[] {
  const out: LoadTarget[] = [{ name: SANDBOX_TARGET, url: sandboxUrl(cfg), preset: PRESETS.semconv, builtin: true }];
  for (const t of cfg.LOAD_TARGETS ?? []) {
    if (!isPresetId(t.preset)) {
      throw new TargetConfigError(`LOAD_TARGETS: target ${JSON.stringify(t.name)} has unknown preset ${JSON.stringify(t.preset)}; expected one of ${PRESET_IDS.join(', ')}`);
    }
    if (t.name === BROWSER_TARGET) throw new TargetConfigError(`LOAD_TARGETS: the target name ${JSON.stringify(BROWSER_TARGET)} is reserved for runs in the user's browser`);
    if (out.some((o) => o.name === t.name)) {
      throw new TargetConfigError(`LOAD_TARGETS: target name ${JSON.stringify(t.name)} is used twice (${JSON.stringify(SANDBOX_TARGET)} is the bundled sandbox)`);
    }
    out.push({ name: t.name, url: t.url, preset: PRESETS[t.preset], builtin: false });
  }
  return out;
}

export function findTarget(cfg: TargetConfig, name: string): LoadTarget | undefined {
  return loadTargets(cfg).find((t) => t.name === name);
}

export function toPublic(t: LoadTarget): PublicTarget {
  const { url: _url, ...rest } = t;
  return rest;
}
