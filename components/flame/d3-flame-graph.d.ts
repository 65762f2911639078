// Minimal typings for the parts of d3-flame-graph 5 and d3-selection 3 that
// FlameGraph.tsx uses (neither package ships types; @types/d3-selection is not
// installed). Kept narrow on purpose: anything used beyond this must be added here.

declare module 'd3-selection' {
  export interface Selection<D = unknown> {
    datum<T>(value: T): Selection<T>;
    call(fn: (s: Selection<D>) => unknown): Selection<D>;
    selectAll(selector: string): Selection<D>;
    on(type: string, listener: null | ((event: Event, d: D) => void)): Selection<D>;
    /** added to the prototype by d3-transition, which d3-flame-graph imports */
    interrupt(name?: string): Selection<D>;
    node(): Element | null;
    attr(name: string, value: unknown): Selection<D>;
    style(name: string, value: unknown): Selection<D>;
    text(value: unknown): Selection<D>;
  }
  export function select(node: Element): Selection;
  /** the Selection constructor; d3-transition adds `transition` / `interrupt` to its prototype */
  export const selection: {
    prototype: { transition: (this: Selection, name?: string) => unknown; on: (this: Selection, ...args: never[]) => unknown };
  };
}

declare module 'd3-flame-graph' {
  import type { Selection } from 'd3-selection';

  /** A d3-hierarchy node as d3-flame-graph lays it out (partition: x in [0, 1]). */
  export interface FlameHierarchyNode<T> {
    data: T;
    depth: number;
    x0: number;
    x1: number;
    value: number;
    parent: FlameHierarchyNode<T> | null;
    children?: FlameHierarchyNode<T>[];
  }

  export interface FlameTooltip<T> {
    (s: Selection): void;
    show(event: MouseEvent, d: FlameHierarchyNode<T>): FlameTooltip<T>;
    hide(): FlameTooltip<T>;
    destroy?(): void;
  }

  export interface FlameGraphChart<T> {
    (s: Selection): void;
    width(w: number): FlameGraphChart<T>;
    cellHeight(h: number): FlameGraphChart<T>;
    minHeight(h: number): FlameGraphChart<T>;
    transitionDuration(ms: number): FlameGraphChart<T>;
    inverted(v: boolean): FlameGraphChart<T>;
    sort(v: boolean): FlameGraphChart<T>;
    minFrameSize(px: number): FlameGraphChart<T>;
    resetHeightOnZoom(v: boolean): FlameGraphChart<T>;
    selfValue(v: boolean): FlameGraphChart<T>;
    getName(fn: (d: FlameHierarchyNode<T>) => string): FlameGraphChart<T>;
    getValue(fn: (d: T) => number): FlameGraphChart<T>;
    getChildren(fn: (d: T) => T[] | undefined): FlameGraphChart<T>;
    tooltip(t: FlameTooltip<T>): FlameGraphChart<T>;
    setColorMapper(fn: (d: FlameHierarchyNode<T>, original: string) => string): FlameGraphChart<T>;
    onClick(fn: (d: FlameHierarchyNode<T>) => void): FlameGraphChart<T>;
    update(data?: T): FlameGraphChart<T>;
    zoomTo(d: FlameHierarchyNode<T>): void;
    resetZoom(): void;
    destroy(): FlameGraphChart<T>;
  }

  export default function flamegraph<T = unknown>(): FlameGraphChart<T>;
}
