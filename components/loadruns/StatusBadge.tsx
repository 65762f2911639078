import type { RunStatus } from '@/lib/loadruns/store';
import { Badge } from '@/components/ui/Badge';

const TONE = { queued: 'neutral', running: 'accent', succeeded: 'ok', failed: 'danger', cancelled: 'warn' } as const;

export function StatusBadge({ status }: { status: RunStatus }) {
  return <Badge tone={TONE[status]}>{status}</Badge>;
}
