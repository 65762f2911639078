import type { ReactNode } from 'react';

// The app's data tables (runs, requests, SLOs, revisions, incident links,
// quality points) in one markup: a caption that names the table for screen
// readers, a header row, rows keyed by the caller, an empty row when there is
// nothing, and a highlighted row while the keyboard is on a link or button in
// it. Callers describe columns; the look is decided here once.
//
//   <Table caption="Runs" rows={runs} rowKey={(r) => r.id} columns={[
//     { header: 'Target', cell: (r) => r.target },
//     { header: 'Req/s', numeric: true, cell: (r) => rate(r.rps) },
//   ]} />

/** Data attributes for tests and styling hooks, e.g. `data-testid`. */
type DataAttributes = { [k: `data-${string}`]: string | undefined };

export interface Column<R> {
  /** The column's header; a string also keys the column. */
  header: ReactNode;
  key?: string;
  /** The header is read by screen readers only (an actions column). */
  srOnlyHeader?: boolean;
  /** Figures: right-aligned, monospace, tabular. */
  numeric?: boolean;
  align?: 'left' | 'right';
  /** The header's tooltip. */
  title?: string;
  /** The row's name: a <th scope="row">. */
  rowHeader?: boolean;
  /** More classes for this column's cells. */
  className?: string | ((row: R) => string);
  cellProps?: (row: R) => DataAttributes;
  cell: (row: R) => ReactNode;
}

export interface TableProps<R> {
  /** The table's accessible name. */
  caption: string;
  /** Columns; `false` leaves one out (`cond && {…}`). */
  columns: readonly (Column<R> | false | null | undefined)[];
  rows: readonly R[];
  rowKey: (row: R) => string | number;
  /** A row's data attributes and extra classes. */
  rowProps?: (row: R) => DataAttributes & { className?: string };
  /** The only row when there are none; leave out where the panel around says it already. */
  empty?: ReactNode;
  /** `xs` inside dense blocks (a disclosure under a chart). */
  size?: 'sm' | 'xs';
  /** Vertical cell padding. */
  spacing?: 'compact' | 'relaxed';
  /** A header only screen readers read (a name–value table). */
  hideHeader?: boolean;
  /** More classes for the table, e.g. a `min-w-[…]` below which it scrolls. */
  className?: string;
}

const PAD = { compact: 'py-1', relaxed: 'py-2' } as const;

function alignOf<R>(c: Column<R>): string {
  return (c.align ?? (c.numeric ? 'right' : 'left')) === 'right' ? 'text-right' : 'text-left';
}

function keyOf<R>(c: Column<R>, i: number): string {
  return c.key ?? (typeof c.header === 'string' ? c.header : String(i));
}

export function Table<R>({ caption, columns, rows, rowKey, rowProps, empty, size = 'sm', spacing = 'compact', hideHeader = false, className = '' }: TableProps<R>) {
  const cols = columns.filter((c): c is Column<R> => !!c);
  const pad = PAD[spacing];
  return (
    <table className={`w-full border-collapse ${size === 'xs' ? 'text-xs' : 'text-sm'} ${className}`}>
      <caption className="sr-only">{caption}</caption>
      <thead className={hideHeader ? 'sr-only' : undefined}>
        <tr className="border-b border-line text-xs text-muted">
          {cols.map((c, i) => (
            <th key={keyOf(c, i)} scope="col" title={c.title} className={`${pad} pr-3 font-medium last:pr-0 ${alignOf(c)}`}>
              {c.srOnlyHeader ? <span className="sr-only">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && empty ? (
          <tr>
            <td colSpan={cols.length} className="py-3 text-muted">
              {empty}
            </td>
          </tr>
        ) : (
          rows.map((r) => {
            const { className: rowClass = '', ...data } = rowProps?.(r) ?? {};
            return (
              <tr key={rowKey(r)} className={`border-b border-line/60 last:border-0 focus-within:bg-panel-2 ${rowClass}`} {...data}>
                {cols.map((c, i) => {
                  const classes = `${pad} pr-3 last:pr-0 ${alignOf(c)} ${c.numeric ? 'font-mono tabular-nums' : ''} ${c.rowHeader ? 'font-normal text-muted' : ''} ${typeof c.className === 'function' ? c.className(r) : (c.className ?? '')}`;
                  return c.rowHeader ? (
                    <th key={keyOf(c, i)} scope="row" className={classes} {...c.cellProps?.(r)}>
                      {c.cell(r)}
                    </th>
                  ) : (
                    <td key={keyOf(c, i)} className={classes} {...c.cellProps?.(r)}>
                      {c.cell(r)}
                    </td>
                  );
                })}
              </tr>
            );
          })
        )}
      </tbody>
    </table>
  );
}
