import type { FlameModel } from '@/lib/model/flame';
import type { Labels, ProfileType, TimeRange } from '@/lib/model/types';

// Wire shapes of Pyroscope's Connect API (querier.v1.QuerierService, JSON
// codec: lowerCamelCase names, int64 as strings, times in unix ms), plus the
// typed results our client returns.

export type Int64 = string | number;

export interface WireLabelPair {
  name: string;
  value: string;
}

/** querier.v1.FlameGraph: each level's values in groups of 4 (x offset, total, self, name index). */
export interface WireFlameGraph {
  names?: string[];
  levels?: { values?: Int64[] }[];
  total?: Int64;
  maxSelf?: Int64;
}

/** querier.v1.FlameGraphDiff: groups of 7 (left offset, total, self, right offset, total, self, name index). */
export interface WireFlameGraphDiff extends WireFlameGraph {
  leftTicks?: Int64;
  rightTicks?: Int64;
}

export interface WireProfileType {
  ID: string;
  name?: string;
  sampleType?: string;
  sampleUnit?: string;
  periodType?: string;
  periodUnit?: string;
}

export interface WireSeries {
  labels?: WireLabelPair[];
  points?: { value?: number; timestamp: Int64 }[];
}

/** Connect error body, sent with a matching HTTP status. */
export interface WireConnectError {
  code: string;
  message?: string;
}

// ---- requests and results ----

/** What every select call narrows by. */
export interface ProfileSelector {
  /** e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds */
  profileTypeId: string;
  /** e.g. {service_name="sandbox"} */
  labelSelector: string;
  range: TimeRange;
}

export interface FlameGraphResult {
  flame: FlameModel;
  /** the largest self value, as Pyroscope computed it */
  maxSelf: number;
}

export type { Labels, ProfileType };
