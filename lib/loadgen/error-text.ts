// Failure reasons in a person's words (pure; the run page uses it too).

const MAX = 300;

/**
 * The readable part of an error body: OpenAI-compatible servers (the sandbox,
 * vLLM) answer `{"error": {"message": …}}`; FastAPI-style servers `{"detail": …}`;
 * anything else is shown as text, cut short.
 */
export function errorBodyText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? j.detail);
    if (typeof m === 'string' && m.trim()) return m.trim().slice(0, MAX);
  } catch {}
  return body.trim().slice(0, MAX);
}

/**
 * A stored failure reason with any JSON error body in it replaced by its
 * message: runs recorded before request errors were read this way said
 * `HTTP 400: {"error":{"message":…}}`.
 */
export function readableFailure(reason: string): string {
  return reason.replace(/\{".*\}/s, (json) => errorBodyText(json));
}
