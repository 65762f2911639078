'use client';

import { memo, useMemo, useState } from 'react';
import { frameParts, nameMatcher } from '@/lib/model/flame';
import { formatPercent, formatValue } from './format';
import styles from './FlameGraph.module.css';

/** One function; `rows` must come ordered by self, largest first (as topFunctions returns them). */
export interface TopRow {
  name: string;
  self: number;
  total: number;
  /** diff only: change of the total's share, percentage points (after − before) */
  change?: number;
}

type SortKey = 'self' | 'total' | 'name' | 'change';

/**
 * Self / total per function over the whole profile. Sortable; a row's button
 * selects the function (the graph then shows only stacks through it, or its
 * sandwich). Rows are
 * limited to `limit` after the search filter, so 30k distinct names stay cheap.
 */
/** The function first, then (muted) where it lives, as on the frames. */
function FunctionName({ name }: { name: string }) {
  const p = frameParts(name);
  if (!p.file) return <>{p.fn}</>;
  const where = `${p.file}${p.line ? `:${p.line}` : ''}`;
  return (
    <>
      {p.fn} <span className={styles.muted}>{where}</span>
    </>
  );
}

export const TopFunctions = memo(function TopFunctions(props: {
  /** null while the profile is still being indexed */
  rows: TopRow[] | null;
  unit: string;
  rootTotal: number;
  limit: number;
  search: string;
  selected: string | null;
  onSelect: (name: string) => void;
  diff: boolean;
}) {
  const { rows, unit, rootTotal, limit, search, selected, onSelect, diff } = props;
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'self', desc: true });
  const shown = useMemo(() => {
    if (!rows) return [];
    const match = nameMatcher(search);
    let list = search.trim() ? rows.filter((r) => match(r.name)) : rows;
    // Rows arrive ordered by self, largest first: the default order needs no sort of 30k+ rows.
    if (sort.key === 'self' && sort.desc) return list.slice(0, limit);
    if (list === rows) list = rows.slice();
    const dir = sort.desc ? -1 : 1;
    // By the name shown: the function, not the file its raw name starts with.
    const fn = new Map<string, string>();
    const shownName = (r: TopRow) => {
      let k = fn.get(r.name);
      if (k === undefined) {
        k = frameParts(r.name).fn.toLowerCase();
        fn.set(r.name, k);
      }
      return k;
    };
    list.sort((a, b) => {
      if (sort.key === 'name') {
        const x = shownName(a);
        const y = shownName(b);
        return dir * (x < y ? -1 : x > y ? 1 : 0);
      }
      const va = sort.key === 'change' ? Math.abs(a.change ?? 0) : a[sort.key];
      const vb = sort.key === 'change' ? Math.abs(b.change ?? 0) : b[sort.key];
      return dir * (va - vb);
    });
    return list.slice(0, limit);
  }, [rows, search, sort, limit]);

  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        className={styles.sort}
        onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== 'name' }))}
      >
        {label}
        {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  const pct = (v: number) => formatPercent(rootTotal > 0 ? (100 * v) / rootTotal : 0);

  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="flame-top-functions" aria-busy={rows === null}>
        <caption className={styles.caption}>
          Top functions{diff ? ' (after)' : ''} · {rows ? `${shown.length} of ${rows.length}` : 'indexing…'}
        </caption>
        <thead>
          <tr>
            {header('name', 'Function')}
            {header('self', 'Self')}
            {header('total', 'Total')}
            {diff && header('change', 'Δ share')}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.name} className={r.name === selected ? styles.selectedRow : undefined}>
              <td className={styles.fn}>
                <button
                  type="button"
                  className={styles.rowButton}
                  aria-pressed={r.name === selected}
                  title={r.name}
                  onClick={() => onSelect(r.name)}
                >
                  <FunctionName name={r.name} />
                </button>
              </td>
              <td className={styles.num}>
                {formatValue(r.self, unit)} <span className={styles.muted}>{pct(r.self)}</span>
              </td>
              <td className={styles.num}>
                {formatValue(r.total, unit)} <span className={styles.muted}>{pct(r.total)}</span>
              </td>
              {diff && (
                <td className={styles.num}>
                  {(r.change ?? 0) >= 0 ? '+' : ''}
                  {(r.change ?? 0).toFixed(2)} pp
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
