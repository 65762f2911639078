// Reading a frame name: what to show first (the function), where it lives
// (file and line), and which module colours it. Frame names stay as the
// profiler sent them everywhere else (search, zoom paths, the embedded
// store), so queries written for Pyroscope keep matching.

export interface FrameParts {
  /** the function, e.g. `matmul`, `(anonymous)`, `runtime.mallocgc` */
  fn: string;
  /** the source file, shortened: no `./`, no path up to `node_modules/` */
  file?: string;
  /** source line, when the profiler knew it (> 0) */
  line?: number;
  /** short text for a frame label: the function first, then where it is */
  label: string;
}

// The Pyroscope Node.js SDK names a frame `<file>:<function>:<line>`, file
// relative to the working directory (`./src/x.ts`), `node:events`, or empty;
// V8's anonymous functions read `(anonymous)` or `(anonymous:L#<line>:C#<col>)`.
const NODE_SDK_ANON = /^(.*):\(anonymous(?::L#(\d+):C#\d+)?\):(\d+)$/;
const NODE_SDK = /^(.*):([^:]*):(\d+)$/;

/** `./workers/a/b.ts` → `workers/a/b.ts`; `/x/node_modules/@s/p/lib/i.js` → `@s/p/lib/i.js`. */
export function shortenFile(file: string): string {
  let f = file.replace(/^file:\/\//, '');
  const nm = f.lastIndexOf('node_modules/');
  if (nm >= 0) f = f.slice(nm + 'node_modules/'.length);
  return f.replace(/^\.\//, '');
}

/** The last two path segments, for labels where space is short. */
function tail(file: string): string {
  const parts = file.split('/');
  return parts.length <= 2 ? file : parts.slice(-2).join('/');
}

export function frameParts(name: string): FrameParts {
  const anon = NODE_SDK_ANON.exec(name);
  if (anon) {
    // An anonymous function is named by where it is: that is what tells two apart.
    const file = anon[1] ? shortenFile(anon[1]) : undefined;
    const line = Number(anon[3]) || Number(anon[2]) || undefined;
    return parts('(anonymous)', file, line, true);
  }
  const sdk = NODE_SDK.exec(name);
  if (sdk && (sdk[1] === '' || /[./]|^node:/.test(sdk[1]))) {
    const file = sdk[1] ? shortenFile(sdk[1]) : undefined;
    return parts(sdk[2] || '(anonymous)', file, Number(sdk[3]) || undefined, sdk[2] === '' || sdk[2] === '(anonymous)');
  }
  return { fn: name, label: name };
}

function parts(fn: string, file: string | undefined, line: number | undefined, anonymous: boolean): FrameParts {
  const where = file ? `${tail(file)}${line ? `:${line}` : ''}` : '';
  const label = !where ? fn : anonymous ? `${fn} ${where}` : `${fn} · ${where}`;
  const out: FrameParts = { fn, label };
  if (file) out.file = file;
  if (line) out.line = line;
  return out;
}

const SOURCE_FILE = /([\w@.$~+-]+(?:\/[\w@.$~+-]+)*\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|cs|c|cc|cpp|cxx|h|hpp|wgsl|php|swift))(?=$|[:(\s)#])/;

/**
 * A module / package key for colouring frames, read from the frame name:
 * - `node:internal/streams/readable` → `node:internal`, `node:fs` → `node:fs`
 * - a source file (`workers/sandbox/kernels/matmul.ts:matmul`, `fn (file:///app/x.js:3:1)`)
 *   → the npm package when under node_modules, else the file name
 * - Go / dotted names (`runtime.mallocgc`, `net/http.(*conn).serve`,
 *   `github.com/x/y.F`) → the import path before the first dot after the last slash
 * - `std::vec::Vec::push` → `std`
 * - anything else (`total`, `[unknown]`) → '' (no module).
 */
export function moduleOf(name: string): string {
  const s = name.trim();
  const node = /^node:([\w-]+)/.exec(s);
  if (node) return `node:${node[1]}`;
  const file = SOURCE_FILE.exec(s);
  if (file) {
    const path = file[1];
    const nm = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (nm) return nm[1];
    return path.slice(path.lastIndexOf('/') + 1);
  }
  const cpp = /^([A-Za-z_]\w*)::/.exec(s);
  if (cpp) return cpp[1];
  const slash = s.lastIndexOf('/', s.search(/[(\s]|$/));
  const dot = s.indexOf('.', slash + 1);
  if (dot > 0 && !/\s/.test(s.slice(0, dot))) return s.slice(0, dot);
  return '';
}
