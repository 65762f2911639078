// Browser entry for the PromQL editor test: one editor, its value and submits
// recorded in window.__editorEvents. Bundled by promql-editor.test.ts with esbuild.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { PromQLEditor } from '../../../components/editors/PromQLEditor';

declare global {
  interface Window {
    __editorEvents: { type: string; value: string }[];
  }
}
window.__editorEvents = [];

function App() {
  const [q, setQ] = useState('');
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
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
