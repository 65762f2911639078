// Browser entry for the query editor test: a PromQL and a TraceQL editor, their
// values and submits recorded in window.__editorEvents (TraceQL's as tq-…), and
// a button that sets the TraceQL text from outside. Bundled by promql-editor.test.ts with esbuild.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { PromQLEditor } from '../../../components/editors/PromQLEditor';
import { TraceQLEditor } from '../../../components/editors/TraceQLEditor';

declare global {
  interface Window {
    __editorEvents: { type: string; value: string }[];
  }
}
window.__editorEvents = [];

function App() {
  const [q, setQ] = useState('');
  const [tq, setTq] = useState('');
  return (
    <div style={{ maxWidth: 720, padding: 16 }}>
      <PromQLEditor
        label="Query"
        value={q}
        onChange={(v) => {
          setQ(v);
          window.__editorEvents.push({ type: 'change', value: v });
        }}
        onSubmit={(v) => window.__editorEvents.push({ type: 'submit', value: v })}
        windowPlaceholder
        testId="editor"
      />
      <TraceQLEditor
        label="TraceQL"
        value={tq}
        onChange={(v) => {
          setTq(v);
          window.__editorEvents.push({ type: 'tq-change', value: v });
        }}
        onSubmit={(v) => window.__editorEvents.push({ type: 'tq-submit', value: v })}
        placeholder="{ span.http.status_code >= 500 }"
        testId="traceql"
      />
      <button type="button" onClick={() => setTq('{ duration > 2s }')}>
        Slow spans
      </button>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
