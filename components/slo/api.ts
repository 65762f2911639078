// The SLO API as the pages use it: typed wrappers over fetchJson (errors keep
// their status and message, so a 409 can say who saved in between).
import { fetchJson } from '@/lib/api-errors';
import type { SloDetail } from '@/lib/slo/detail';
import type { DeployResult } from '@/lib/slo/deploy';
import type { SloDefinition, SloDefinitionInput } from '@/lib/slo/model';
import type { Preview } from '@/lib/slo/preview';
import type { BucketChoice } from '@/lib/slo/sli';
import type { StatusReport } from '@/lib/slo/status';
import type { SloTemplate } from '@/lib/slo/templates';

export interface SloRow {
  id: string;
  name: string;
  revision: number;
  definition: SloDefinition;
  createdAt: string;
  updatedAt: string;
}

export interface RevisionRow {
  revision: number;
  author: string;
  message: string;
  createdAt: string;
  definition: SloDefinition;
  /** fields changed since the revision before it */
  changes: string[];
}

export interface SavedResponse {
  slo: SloRow;
  rules: DeployResult;
  bucket: BucketChoice | null;
}

const jsonInit = (method: string, body: unknown, signal?: AbortSignal): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

export const sloApi = {
  list: (signal?: AbortSignal) => fetchJson<{ slos: SloRow[]; deployment: string }>('/api/slos', { signal }),
  get: (id: string, signal?: AbortSignal) => fetchJson<SloRow>(`/api/slos/${id}`, { signal }),
  status: (signal?: AbortSignal) => fetchJson<StatusReport>('/api/slos/status', { signal }),
  detail: (id: string, range: { from: string; to: string }, signal?: AbortSignal) => fetchJson<SloDetail>(`/api/slos/${id}/status?${new URLSearchParams(range)}`, { signal }),
  revisions: (id: string, signal?: AbortSignal) => fetchJson<{ revisions: RevisionRow[] }>(`/api/slos/${id}/revisions`, { signal }),
  templates: (target: string | null, signal?: AbortSignal) =>
    fetchJson<{ target: string; preset: string; targets: { name: string; preset: string }[]; templates: SloTemplate[] }>(`/api/slos/templates${target ? `?target=${encodeURIComponent(target)}` : ''}`, { signal }),
  preview: (definition: SloDefinitionInput, signal?: AbortSignal) => fetchJson<Preview>('/api/slos/preview', jsonInit('POST', { definition }, signal)),
  create: (definition: SloDefinitionInput, message: string) => fetchJson<SavedResponse>('/api/slos', jsonInit('POST', { definition, message })),
  save: (id: string, definition: SloDefinitionInput, baseRevision: number, message: string) => fetchJson<SavedResponse>(`/api/slos/${id}`, jsonInit('PUT', { definition, baseRevision, message })),
  restore: (id: string, revision: number, baseRevision: number) => fetchJson<SavedResponse>(`/api/slos/${id}/restore`, jsonInit('POST', { revision, baseRevision })),
  remove: (id: string) => fetchJson<{ deleted: boolean }>(`/api/slos/${id}`, { method: 'DELETE' }),
  importText: (text: string, opts: { rename?: string; dryRun?: boolean }) =>
    fetchJson<{ format: string; definitions: SloDefinition[]; created: SloRow[] }>('/api/slos/import', jsonInit('POST', { text, ...opts })),
};
