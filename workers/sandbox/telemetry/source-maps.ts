// Real source positions for the sandbox's CPU profile frames. The sandbox runs
// its TypeScript through tsx, whose compiled code sits on one line per
// module, so V8 reports every function at line 1 (column 4247…) and the
// Pyroscope SDK would name frames `./workers/…/matmul.ts:matmul:1` and
// `(anonymous:L#1:C#4247)`. tsx registers a source map for every module it
// compiles, which Node keeps (module.findSourceMap): this adapter gives the
// SDK's `sourceMapper` option the original file and line, and a name for a
// function that has none from the code it is defined in (`const matmul =
// (…) =>`), so frames read `…/matmul.ts:matmul:42`.
import { readFileSync } from 'node:fs';
import { findSourceMap, type SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A position in generated code, as @datadog/pprof hands it to a source mapper (1-based). */
export interface GeneratedLocation {
  file: string;
  line: number;
  column: number;
  name?: string;
}

/** The same position in the source file. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  name?: string;
}

// What a function is bound to, read from the text just before it starts:
// `const name = (…) =>`, `const name: Type = async (…) =>`, `name = function`.
const ASSIGNED = /([A-Za-z_$][\w$]*)\s*(?::[^=()]+)?=\s*(?:async\s+)?$/;
// `name: (…) =>` in an object literal.
const PROPERTY = /([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?$/;

/**
 * The name a source line gives the function that starts at `column` (1-based),
 * if any; a callback passed as an argument (`.forEach((x) => …)`) has none.
 */
export function nameFromSource(lineText: string, column: number): string | undefined {
  // The column may fall on the function's first token or just inside it: drop a trailing `(`, identifier or `async`.
  const before = lineText.slice(0, Math.max(0, column - 1)).replace(/(?:\(|[\w$])*$/, '');
  return ASSIGNED.exec(before)?.[1] ?? PROPERTY.exec(before)?.[1];
}

/** Source mapper over the maps Node holds for modules (tsx's inline ones included). */
export class NodeSourceMaps {
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly lines = new Map<string, string[] | null>();

  private mapOf(file: string): SourceMap | null {
    let m = this.maps.get(file);
    if (m === undefined) {
      try {
        m = findSourceMap(file) ?? null;
      } catch {
        m = null;
      }
      this.maps.set(file, m);
    }
    return m;
  }

  hasMappingInfo(file: string): boolean {
    return this.mapOf(file) !== null;
  }

  mappingInfo(loc: GeneratedLocation): SourceLocation {
    const map = this.mapOf(loc.file);
    if (!map) return loc;
    const origin = map.findOrigin(loc.line, loc.column) as { fileName?: string; lineNumber?: number; columnNumber?: number; name?: string };
    if (!origin.fileName || !origin.lineNumber) return loc;
    const file = origin.fileName.startsWith('file:') ? fileURLToPath(origin.fileName) : origin.fileName;
    let name = loc.name || origin.name;
    if (!name) {
      const text = this.sourceLines(map, origin.fileName)?.[origin.lineNumber - 1];
      if (text) name = nameFromSource(text, origin.columnNumber ?? 1);
    }
    return { file, line: origin.lineNumber, column: origin.columnNumber, name };
  }

  /** The original file's lines: the map's sourcesContent, or (tsx leaves it out) the file itself, read once. */
  private sourceLines(map: SourceMap, source: string): string[] | null {
    let l = this.lines.get(source);
    if (l === undefined) {
      const p = map.payload as { sources?: string[]; sourcesContent?: (string | null)[] };
      const i = p.sources?.findIndex((s) => s === source || source.endsWith(s)) ?? -1;
      let text = i >= 0 ? p.sourcesContent?.[i] : null;
      if (!text) {
        try {
          text = readFileSync(source.startsWith('file:') ? fileURLToPath(source) : source, 'utf8');
        } catch {
          text = null;
        }
      }
      l = text ? text.split('\n') : null;
      this.lines.set(source, l);
    }
    return l;
  }
}
