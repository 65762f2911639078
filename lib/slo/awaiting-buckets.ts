// Pure (the editor imports it in the browser; lib/slo/preview is server code).
import type { Preview } from './preview';

/**
 * A latency SLI on a classic histogram whose bucket bounds Prometheus does not
 * have yet (no series scraped): which bound the threshold uses is unknown until
 * it has, so the editor asks again.
 */
export function awaitingBuckets(p: Pick<Preview, 'definition' | 'bucket' | 'source'>): boolean {
  return p.definition.sli.kind === 'latency' && p.definition.sli.histogram === 'classic' && p.bucket === null && p.source === 'prometheus';
}
