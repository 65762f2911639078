// Who may push telemetry, with the I/O that checkIngest (pure) leaves out. Besides
// an exporter with the ingest token (or anyone while the app listens on loopback
// without one), the app's own page may push a browser run's spans and GPU profile
// for a signed-in editor, the person who may fire that run. The page proves it is
// ours with the session's CSRF token, as every mutation does. Without sign-in
// everyone on loopback is the local admin, so there the token stays the only proof.
import { AuthError, requireRole } from '@/lib/auth';
import { CSRF_HEADER } from '@/lib/auth/sessions';
import { config } from '@/lib/config';
import { checkIngest, type IngestRefusal } from './ingest-auth';

/** null when the push may be stored; else why not, in the exporter's terms. */
export async function ingestRefusal(req: Request): Promise<IngestRefusal | null> {
  const refused = checkIngest(req.headers, config());
  if (refused?.status !== 401 || !req.headers.has(CSRF_HEADER)) return refused;
  try {
    const viewer = await requireRole(req, 'editor');
    return viewer.via === 'loopback' ? refused : null;
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    return { status: 401, message: `${refused.message}; or, from Trisight's own page, an editor's session (${e.message})` };
  }
}
