'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RunStatus } from '@/lib/loadruns/store';
import type { LiveStats } from '@/lib/loadgen/report';
import { runKeys } from '@/components/runs/api';

export interface RunEventsState {
  stats: LiveStats | null;
  ended: { status: RunStatus; error: string | null } | null;
  /** the stream dropped and the browser is reconnecting */
  reconnecting: boolean;
}

/**
 * Live progress of a run from GET /api/runs/:id/events (server-sent events). When the
 * run ends, the run and the history are refetched so the stored report shows.
 */
export function useRunEvents(id: string, enabled: boolean): RunEventsState {
  const qc = useQueryClient();
  const [state, setState] = useState<RunEventsState>({ stats: null, ended: null, reconnecting: false });
  useEffect(() => {
    if (!enabled) return;
    const es = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
    es.addEventListener('progress', (e) => {
      const { stats } = JSON.parse((e as MessageEvent<string>).data) as { stats: LiveStats };
      setState((s) => ({ ...s, stats, reconnecting: false }));
    });
    es.addEventListener('end', (e) => {
      const ended = JSON.parse((e as MessageEvent<string>).data) as RunEventsState['ended'];
      // The server closes the stream after `end`; stop EventSource from reconnecting.
      es.close();
      setState((s) => ({ ...s, ended, reconnecting: false }));
      void qc.invalidateQueries({ queryKey: runKeys.all });
    });
    es.onerror = () => setState((s) => (s.ended ? s : { ...s, reconnecting: true }));
    return () => es.close();
  }, [id, enabled, qc]);
  return state;
}
