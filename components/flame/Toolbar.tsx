'use client';

// Above the graph: search, zoom reset, the flame graph / sandwich switch, SVG
// download, the search status, and the zoomed frame's path as breadcrumbs.
import { frameParts } from '@/lib/model/flame';
import type { FlameView } from './FlameGraph';
import styles from './FlameGraph.module.css';

export function Toolbar(props: {
  search: string;
  onSearch: (s: string) => void;
  canReset: boolean;
  onReset: () => void;
  selected: string | null;
  onShowAll: () => void;
  view: FlameView;
  /** sandwich needs a function: the selected one, or the zoomed frame's */
  sandwichFor: string | null;
  onView: (v: FlameView) => void;
  onDownload: (() => void) | null;
  status: string;
}) {
  const { view } = props;
  return (
    <div className={styles.toolbar} role="toolbar" aria-label="Flame graph controls">
      <input
        type="search"
        className={styles.search}
        placeholder="Search functions"
        aria-label="Search functions"
        value={props.search}
        onChange={(e) => props.onSearch(e.target.value)}
      />
      <button type="button" className={styles.button} onClick={props.onReset} disabled={!props.canReset}>
        Reset zoom
      </button>
      {props.selected !== null && (
        <button type="button" className={styles.button} onClick={props.onShowAll}>
          Show all stacks
        </button>
      )}
      <fieldset className={styles.segmented}>
        <legend className={styles.srOnly}>View</legend>
        <button type="button" className={styles.button} aria-pressed={view === 'graph'} onClick={() => props.onView('graph')}>
          Flame graph
        </button>
        <button
          type="button"
          className={styles.button}
          aria-pressed={view === 'sandwich'}
          disabled={view !== 'sandwich' && props.sandwichFor === null}
          title={props.sandwichFor ? `Callers and callees of ${frameParts(props.sandwichFor).fn}` : 'Pick a function in the table, or zoom into a frame, first'}
          onClick={() => props.onView('sandwich')}
        >
          Sandwich
        </button>
      </fieldset>
      {props.onDownload && (
        <button type="button" className={styles.button} onClick={props.onDownload} title="This view as an SVG file">
          Download SVG
        </button>
      )}
      <span className={styles.status} role="status" data-testid="flame-search-status">
        {props.status}
      </span>
    </div>
  );
}

/** The zoomed frame's path; every caller is a button that zooms back out to it. */
export function Breadcrumbs({ names, onPick }: { names: string[]; onPick: (depth: number) => void }) {
  return (
    <nav className={styles.crumbs} aria-label="Zoomed frame" aria-live="polite">
      {names.map((n, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a frame's depth on the zoom path is its identity (names repeat under recursion)
        <span key={k}>
          {k > 0 && <span aria-hidden="true"> › </span>}
          {k === names.length - 1 ? (
            <strong title={n}>{frameParts(n).fn}</strong>
          ) : (
            <button type="button" className={styles.crumb} title={n} onClick={() => onPick(k)}>
              {frameParts(n).fn}
            </button>
          )}
        </span>
      ))}
    </nav>
  );
}
