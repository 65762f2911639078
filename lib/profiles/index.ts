// pprof handling shared by the embedded /ingest receiver, the embedded profile
// store and the Pyroscope client.
export {
  PprofDecodeError,
  PprofTooLargeError,
  decodePprof,
  gunzipProfile,
  isGzip,
  pickSampleType,
  pprofToModel,
  profileStacks,
  profileTypeOf,
} from './pprof';
export type { ProfileStacks, SampleTypeInfo } from './pprof';
export { SAMPLE_ONLY_LABELS, decodeProfile, decodeProfileSliced } from './decode';
export type { LeanProfile } from './decode';
export { DEFAULT_SAMPLE_TYPE_CONFIG, profileName, pushProfileTypes } from './profile-type';
export type { SampleTypeConfig } from './profile-type';
