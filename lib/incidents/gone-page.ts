// The page a revoked or expired link answers, with 410 Gone. Plain HTML from a
// route handler (a Next.js page cannot choose its status); every value that
// came from a person is escaped.
import { escapeHtml } from '@/lib/escape-html';
import type { IncidentRecord } from './store';

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function gonePage(link: Pick<IncidentRecord, 'title' | 'state' | 'revokedAt' | 'revokedBy' | 'expiresAt' | 'createdBy'>): string {
  const revoked = link.state === 'revoked';
  const headline = revoked ? 'This link was revoked' : 'This link has expired';
  const detail = revoked
    ? `It was revoked${link.revokedBy ? ` by ${escapeHtml(link.revokedBy)}` : ''}${link.revokedAt ? ` on ${when(link.revokedAt)}` : ''}.`
    : `It stopped working on ${link.expiresAt ? when(link.expiresAt) : 'its expiry date'}.`;
  const ask = link.createdBy ? `Ask ${escapeHtml(link.createdBy)}, who shared it, for a new link.` : 'Ask whoever shared it for a new link.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="color-scheme" content="dark light"><title>${headline} · Trisight</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#0f1115;color:#e6e8eb;display:grid;place-items:center;min-height:100vh}
main{max-width:32rem;padding:2rem;border:1px solid #2a2f3a;border-radius:10px;background:#161a21}
h1{font-size:1.25rem;margin:0 0 .5rem}p{margin:.5rem 0;color:#b6bcc6}.code{font:600 .8rem ui-monospace,monospace;color:#f0a35e}
a{color:#7aa7ff}
@media (prefers-color-scheme: light){body{background:#f5f6f8;color:#15181d}main{background:#fff;border-color:#dde1e7}p{color:#4a5361}.code{color:#b25d12}a{color:#1f4fd1}}
</style></head>
<body><main><p class="code">410 · Gone</p><h1>${headline}</h1>
<p>“${escapeHtml(link.title)}” is no longer shared. ${detail}</p>
<p>${ask}</p>
<p><a href="/incidents">Incident links</a> (sign-in needed)</p></main></body></html>`;
}

/** The page for a slug that never existed (404), in the same look. */
export function unknownPage(): string {
  return gonePage({ title: '', state: 'expired', revokedAt: null, revokedBy: null, expiresAt: null, createdBy: null })
    .replace('410 · Gone', '404 · Not found')
    .replaceAll('This link has expired', 'No such link')
    .replace(/<p>“”[^<]*<\/p>/, '<p>Check the address: incident links are /i/ followed by 26 letters and digits.</p>');
}
