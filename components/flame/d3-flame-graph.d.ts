// Minimal typings for the parts of d3-flame-graph 5 and d3-selection 3 that
// components/flame/svg.ts uses (neither package ships types; @types/d3-selection
// is not installed). Kept narrow on purpose: anything used beyond this must be added here.

declare module 'd3-selection' {
  export interface Selection<D = unknown> {
    datum<T>(value: T): Selection<T>;
    call(fn: (s: Selection<D>) => unknown): Selection<D>;
    node(): Element | null;
  }
  export function select(node: Element): Selection;
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

  export interface FlameGraphChart<T> {
    (s: Selection): void;
    width(w: number): FlameGraphChart<T>;
    cellHeight(h: number): FlameGraphChart<T>;
    transitionDuration(ms: number): FlameGraphChart<T>;
    inverted(v: boolean): FlameGraphChart<T>;
    sort(v: boolean): FlameGraphChart<T>;
    getValue(fn: (d: T) => number): FlameGraphChart<T>;
    /** the <title> text of each frame (when no tooltip is set) */
    setLabelHandler(fn: (d: FlameHierarchyNode<T>) => string): FlameGraphChart<T>;
    setColorMapper(fn: (d: FlameHierarchyNode<T>, original: string) => string): FlameGraphChart<T>;
    update(data?: T): FlameGraphChart<T>;
    destroy(): FlameGraphChart<T>;
  }

  export default function flamegraph<T = unknown>(): FlameGraphChart<T>;
}
