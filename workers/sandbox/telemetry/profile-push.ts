// Pushes a pprof profile the way @pyroscope/nodejs pushes its CPU profiles:
// gzipped. Used for the profiles the SDK does not make: GPU time and the heap
// profile with the KV cache split out.
import { gzipSync } from 'node:zlib';
import { postProfile, type PushTarget } from './ingest';

export { pushLabelValue, pushName, type PushTarget } from './ingest';

export function pushProfile(t: PushTarget, pprof: Uint8Array, fromMs: number, untilMs: number, signal?: AbortSignal): Promise<boolean> {
  return postProfile(t, gzipSync(pprof), fromMs, untilMs, signal);
}
