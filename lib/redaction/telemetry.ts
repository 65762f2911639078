// Redaction of received telemetry before it is stored (POST /v1/traces,
// POST /ingest): span names, attribute values, event names and attributes,
// link attributes, status messages, resource attributes, profile labels. App
// side only (the sandbox uses the core in ./index.ts). Pure.

import type { AttrValue, Attributes, Span } from '@/lib/model/types';
import { countAttributes } from './counts';
import type { KeyPolicy } from './keys';
import { emptyCounts, totalCount, type PiiCounts, type Redactor } from './text';

export interface RedactionPolicy {
  redactor: Redactor;
  keys: KeyPolicy;
}

/** What one record (a span, with its resource) had taken out. */
interface Tally {
  counts: PiiCounts;
  dropped: number;
}

// Integers below 10^8 are too short for any identifier the rules know; bigger
// ones (a phone number sent as an int) are checked as their decimal text.
const SHORTEST_NUMERIC_ID = 1e8;

function redactValue(v: AttrValue, p: RedactionPolicy, t: Tally): AttrValue {
  if (typeof v === 'string') return p.redactor.redact(v, t.counts);
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) < SHORTEST_NUMERIC_ID) return v;
    const s = String(v);
    const r = p.redactor.redact(s, t.counts);
    return r === s ? v : r;
  }
  if (Array.isArray(v)) {
    let out: AttrValue[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const r = redactValue(v[i], p, t);
      if (r !== v[i]) {
        out ??= v.slice();
        out[i] = r;
      }
    }
    return out ?? v;
  }
  // A kvlist: its inner keys are data, not attribute names; only values are redacted.
  if (v && typeof v === 'object') {
    let out: { [k: string]: AttrValue } | undefined;
    for (const k in v) {
      const r = redactValue(v[k], p, t);
      if (r !== v[k]) {
        out ??= { ...v };
        out[k] = r;
      }
    }
    return out ?? v;
  }
  return v;
}

/**
 * A record (attributes, labels) with allowed keys untouched, dropped keys gone
 * (counted in `t`) and other values through `value`; the same object when
 * nothing changed.
 */
function redactRecord<V>(rec: Record<string, V>, keys: KeyPolicy, value: (v: V) => V, t: Tally): Record<string, V> {
  let out: Record<string, V> | undefined;
  for (const k in rec) {
    const action = keys.action(k);
    if (action === 'keep') continue;
    if (action === 'drop') {
      out ??= { ...rec };
      delete out[k];
      t.dropped++;
      continue;
    }
    const v = rec[k];
    const r = value(v);
    if (r !== v) {
      out ??= { ...rec };
      out[k] = r;
    }
  }
  return out ?? rec;
}

/** The attributes with allowed keys untouched, dropped keys gone and other values redacted; the same object when nothing changed. */
export function redactAttributes(attrs: Attributes, p: RedactionPolicy, t: Tally): Attributes {
  return redactRecord(attrs, p.keys, (v) => redactValue(v, p, t), t);
}

/**
 * Redacts decoded spans before they are stored and records on each span what
 * was taken out (counts per kind, see ./counts.ts), never the values. Spans
 * of one resource share its redacted attributes, and its counts are added to
 * each of them (each stored span holds a copy).
 */
export function redactSpans(spans: readonly Span[], p: RedactionPolicy): Span[] {
  const resources = new Map<Attributes, { attrs: Attributes; tally: Tally }>();
  const services = new Map<string, string>();
  return spans.map((s) => {
    let res = resources.get(s.resourceAttributes);
    if (!res) {
      const tally: Tally = { counts: emptyCounts(), dropped: 0 };
      res = { attrs: redactAttributes(s.resourceAttributes, p, tally), tally };
      resources.set(s.resourceAttributes, res);
    }
    let service = services.get(s.service);
    if (service === undefined) {
      // service.name again, already counted with the resource.
      service = p.redactor.redact(s.service);
      services.set(s.service, service);
    }
    const t: Tally = { counts: { ...res.tally.counts }, dropped: res.tally.dropped };
    const name = p.redactor.redact(s.name, t.counts);
    let attributes = redactAttributes(s.attributes, p, t);
    const events = mapSame(s.events, (e) => {
      const name = p.redactor.redact(e.name, t.counts);
      const attributes = redactAttributes(e.attributes, p, t);
      return name === e.name && attributes === e.attributes ? e : { ...e, name, attributes };
    });
    const links = mapSame(s.links, (l) => {
      const attributes = redactAttributes(l.attributes, p, t);
      return attributes === l.attributes ? l : { ...l, attributes };
    });
    const statusMessage = s.statusMessage === undefined ? undefined : p.redactor.redact(s.statusMessage, t.counts);
    if (totalCount(t.counts) || t.dropped) attributes = { ...attributes, ...countAttributes(t.counts, t.dropped, attributes) };
    if (
      service === s.service &&
      res.attrs === s.resourceAttributes &&
      name === s.name &&
      attributes === s.attributes &&
      events === s.events &&
      links === s.links &&
      statusMessage === s.statusMessage
    ) {
      return s;
    }
    const out: Span = { ...s, service, resourceAttributes: res.attrs, name, attributes, events, links };
    if (statusMessage !== undefined) out.statusMessage = statusMessage;
    return out;
  });
}

/** `xs.map(f)`, or `xs` itself when `f` returned every element unchanged. */
function mapSame<T>(xs: T[], f: (x: T) => T): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const y = f(xs[i]);
    if (y !== xs[i]) {
      out ??= xs.slice();
      out[i] = y;
    }
  }
  return out ?? xs;
}

/** A pushed profile as far as labels go: the push's series labels and each sample's labels. */
export interface LabelledProfile {
  service: string;
  labels: Record<string, string>;
  profile: { samples: { labels: Record<string, string> }[] };
}

/**
 * Redacts a profile push's labels (series labels, per-sample labels such as
 * `span_name`) with the same rules, so a span's name and the `span_name` of
 * its CPU samples stay equal. Labels repeat across samples: each distinct
 * value is redacted once. Returns a new push when anything changed.
 */
export function redactProfileLabels<P extends LabelledProfile>(push: P, p: RedactionPolicy): P {
  const seen = new Map<string, string>();
  const t: Tally = { counts: emptyCounts(), dropped: 0 };
  const redactLabel = (v: string) => {
    let r = seen.get(v);
    if (r === undefined) {
      r = p.redactor.redact(v, t.counts);
      seen.set(v, r);
    }
    return r;
  };
  const labelsOf = (labels: Record<string, string>) => redactRecord(labels, p.keys, redactLabel, t);
  const labels = labelsOf(push.labels);
  let samples: P['profile']['samples'] | undefined;
  const orig = push.profile.samples;
  for (let i = 0; i < orig.length; i++) {
    const l = labelsOf(orig[i].labels);
    if (l !== orig[i].labels) {
      samples ??= orig.slice();
      samples[i] = { ...orig[i], labels: l };
    }
  }
  if (labels === push.labels && !samples) return push;
  return { ...push, service: labels.service_name ?? push.service, labels, profile: samples ? { ...push.profile, samples } : push.profile };
}
