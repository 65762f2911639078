// pprof handling shared by the embedded /ingest receiver, the embedded profile
// store and the Pyroscope client.
export {
  PprofDecodeError,
  PprofTooLargeError,
  decodePprof,
  isGzip,
  pickSampleType,
  pprofToModel,
  profileStacks,
  profileTypeOf,
} from './pprof';
export type { ProfileStacks, SampleTypeInfo } from './pprof';
