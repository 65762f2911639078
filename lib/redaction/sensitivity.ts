// Sensitivity tags: telemetry a service marks as sensitive is stored (after
// redaction) but shown only to admins; everyone else sees that a value was
// withheld. Marked are
//  - a span whose attributes or resource carry the tag (SENSITIVITY_TAG,
//    default data_class=PII): its attribute, resource, event and link values
//    and its status message;
//  - an event carrying the tag: that event's attribute values;
//  - attributes whose key is on SENSITIVE_KEYS, wherever they appear.
// Ids, timings, span names, the tag itself and the keys the receivers keep
// exact (BUILT_IN_ALLOWED_KEYS, service.name) stay, so the trace still draws
// and correlates. Pure.

import type { Viewer } from '@/lib/auth/roles';
import type { AttrValue, Attributes, Span, Trace, TraceSummary } from '@/lib/model/types';
import { BUILT_IN_ALLOWED_KEYS, keyMatcher } from './keys';

/** What a withheld value reads as (the trace view shows it as a notice). */
export const WITHHELD = '[withheld: admins only]';

export interface SensitivityTag {
  key: string;
  value: string;
}

export class SensitivityTagError extends Error {}

/** `key=value`: the attribute that marks a span, its resource or an event as sensitive. */
export function parseSensitivityTag(v: string): SensitivityTag {
  const m = /^([A-Za-z0-9_.:/@-]+)\s*=\s*([^,=\s][^,=]*)$/.exec(v.trim());
  if (!m) throw new SensitivityTagError(`expected key=value, e.g. data_class=PII, got ${JSON.stringify(v)}`);
  return { key: m[1], value: m[2].trim() };
}

export interface SensitivityPolicy {
  tag: SensitivityTag;
  /** a value withheld wherever it appears */
  sensitiveKey: (key: string) => boolean;
  /** never withheld: ids, the tag, the service name */
  exemptKey: (key: string) => boolean;
}

export function sensitivityPolicy(tag: SensitivityTag, sensitiveKeys: readonly string[]): SensitivityPolicy {
  return { tag, sensitiveKey: keyMatcher(sensitiveKeys), exemptKey: keyMatcher([...BUILT_IN_ALLOWED_KEYS, tag.key, 'service.name']) };
}

/** Only admins see sensitive values; with sign-in off everyone is the local admin. */
export function mayReveal(viewer: Viewer | null): boolean {
  return viewer?.role === 'admin';
}

const sameText = (a: AttrValue | undefined, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.toLowerCase();

/** Whether attributes carry the tag (`data_class=PII`, any case; or a list holding it). */
export function carriesTag(attrs: Attributes, tag: SensitivityTag): boolean {
  const v = attrs[tag.key];
  return Array.isArray(v) ? v.some((x) => sameText(x, tag.value)) : sameText(v, tag.value);
}

/** The attributes with sensitive values (all but exempt keys when `all`) replaced by WITHHELD; the same object when none was. */
function withheld(attrs: Attributes, p: SensitivityPolicy, all: boolean): Attributes {
  let out: Attributes | undefined;
  for (const k in attrs) {
    if (p.exemptKey(k) || !(all || p.sensitiveKey(k)) || attrs[k] === WITHHELD) continue;
    out ??= { ...attrs };
    out[k] = WITHHELD;
  }
  return out ?? attrs;
}

export function withholdSpan(s: Span, p: SensitivityPolicy): Span {
  const marked = carriesTag(s.attributes, p.tag) || carriesTag(s.resourceAttributes, p.tag);
  const attributes = withheld(s.attributes, p, marked);
  const resourceAttributes = withheld(s.resourceAttributes, p, marked);
  const events = s.events.map((e) => {
    const a = withheld(e.attributes, p, marked || carriesTag(e.attributes, p.tag));
    return a === e.attributes ? e : { ...e, attributes: a };
  });
  const links = s.links.map((l) => {
    const a = withheld(l.attributes, p, marked);
    return a === l.attributes ? l : { ...l, attributes: a };
  });
  const out: Span = { ...s, attributes, resourceAttributes, events, links };
  if (marked && s.statusMessage) out.statusMessage = WITHHELD;
  return out;
}

export function withholdTrace(t: Trace, p: SensitivityPolicy): Trace {
  return { ...t, spans: t.spans.map((s) => withholdSpan(s, p)) };
}

/** Search results: the matched spans' attributes (their resource is not in the result, only the span's own tag counts). */
export function withholdSummary(t: TraceSummary, p: SensitivityPolicy): TraceSummary {
  if (!t.spans) return t;
  return { ...t, spans: t.spans.map((s) => ({ ...s, attributes: withheld(s.attributes, p, carriesTag(s.attributes, p.tag)) })) };
}

/** Whether a tag-value lookup (`span.<key>`, `resource.<key>`) asks for a key whose values are withheld everywhere. */
export function isSensitiveTagName(scopedName: string, p: SensitivityPolicy): boolean {
  const key = scopedName.replace(/^(span|resource|event|link)\./, '');
  return key !== scopedName && !p.exemptKey(key) && p.sensitiveKey(key);
}
