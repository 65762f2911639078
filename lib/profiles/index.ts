// pprof handling shared by the embedded /ingest receiver, the embedded profile
// store and the Pyroscope client.
export {
  PprofDecodeError,
  PprofTooLargeError,
  decodePprof,
  flameTreeFromStacks,
  isGzip,
  pickSampleType,
  pprofToFlameTree,
  profileStacks,
  profileTypeOf,
} from './pprof';
export type { ProfileStacks, SampleTypeInfo } from './pprof';
