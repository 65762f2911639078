// Just enough of @grafana/data and @grafana/flamegraph for page.tsx to type-check
// in the app's tree, where these packages are not installed (the bench installs
// them in a temporary folder from this folder's lockfile).

declare module '@grafana/data' {
  export enum FieldType {
    number = 'number',
    string = 'string',
    enum = 'enum',
  }
  export interface FieldInput {
    name: string;
    type: FieldType;
    values: unknown[];
    config?: Record<string, unknown>;
  }
  export interface DataFrame {
    fields: unknown[];
    length: number;
  }
  export function createDataFrame(input: { name?: string; meta?: Record<string, unknown>; fields: FieldInput[] }): DataFrame;
  export interface GrafanaTheme2 {
    isDark: boolean;
  }
  export function createTheme(options?: { colors?: { mode?: 'light' | 'dark' } }): GrafanaTheme2;
}

declare module '@grafana/flamegraph' {
  import type { DataFrame, GrafanaTheme2 } from '@grafana/data';
  export function FlameGraph(props: { data?: DataFrame; getTheme: () => GrafanaTheme2; showFlameGraphOnly?: boolean; vertical?: boolean }): JSX.Element;
}
