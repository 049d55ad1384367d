/**
 * Shell command lines as a POSIX shell splits them, for the parts serving scripts use: quotes,
 * backslash-newline, `#` comments (to the end of their line only), `;` `&&` `||` `|` `&` and
 * newlines between commands, variable assignments and `$VAR` / `${VAR}` / `${VAR:-default}`
 * expansion (with word splitting of unquoted values), and Kubernetes' `$(VAR)` dependent variables.
 * Every word keeps the document span it was written at, through a map from the text's indices.
 * Linear in the text: each character is looked at a bounded number of times.
 */
import type { Span } from './types.ts';

/** A variable's value as far as the file tells: a value, or set somewhere the file does not show. */
export type EnvValue = { value: string; span?: Span } | { external: string; span?: Span };
export type Env = Map<string, EnvValue>;

export interface VarRef {
  name: string;
  /** set: expanded; default: `${X:-d}` with X unset; unset: not in the file; external: set outside the file */
  status: 'set' | 'default' | 'unset' | 'external';
  /** Where the external value comes from (a Secret, a ConfigMap...). */
  from?: string;
  /** Where the value is defined in the file (an env entry, an assignment). */
  span?: Span;
}

export interface ShellWord {
  text: string;
  span: Span;
  /** The word as written (quotes and `$` references included). */
  written: string;
  refs?: VarRef[];
}

/** Text with a map from its indices to document offsets (identity plus a base when written verbatim). */
export interface MappedText {
  text: string;
  offsetAt(index: number): number;
}

export function verbatim(text: string, base = 0): MappedText {
  return { text, offsetAt: (i) => base + i };
}

/**
 * Maps a YAML scalar's value back onto its source: block scalars lose indentation and folded
 * newlines, quoted ones their quotes and escapes, but the characters come in the same order.
 * Greedy alignment; where it loses track, indices map to the node's start.
 */
export function alignedText(value: string, source: string, start: number, end: number): MappedText {
  const offsets = new Int32Array(value.length + 1);
  let s = start;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const space = c === ' ' || c === '\n' || c === '\t';
    let probe = s;
    const limit = Math.min(end, s + 256);
    while (probe < limit) {
      const d = source[probe]!;
      if (d === c || (space && (d === ' ' || d === '\n' || d === '\t' || d === '\r'))) break;
      probe++;
    }
    if (probe < limit) {
      offsets[i] = probe;
      s = probe + 1;
    } else offsets[i] = Math.min(s, end);
  }
  offsets[value.length] = Math.min(s, end);
  return { text: value, offsetAt: (i) => offsets[Math.max(0, Math.min(i, value.length))]! };
}

/**
 * An env entry as `docker run -e` and compose's `environment:` list take it: `KEY=value`, or a bare
 * `KEY`, which passes the host's value on.
 */
export function envEntry(entry: string): [string, EnvValue] | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(entry);
  if (!m) return undefined;
  return [m[1]!, m[2] === undefined ? { external: 'the host environment' } : { value: m[2] }];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** `$(VAR)`: matched in place, so a `$(` without its name never scans ahead (linear in the text). */
const KUBE_REF = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/y;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const WHOLE_REF = /^"?\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*|\([A-Za-z_][A-Za-z0-9_]*\))"?$/;

interface Options {
  /** Kubernetes expands `$(VAR)` from the container's env before any shell runs. */
  kubernetes?: boolean;
  /** false: the text is one argv element (a YAML list item): only `$(VAR)` expands. */
  shell?: boolean;
}

/** The commands of a script (each a list of words), applying its assignments to `env` as it goes. */
export function shellCommands(src: MappedText, env: Env, options: Options = {}): ShellWord[][] {
  return new ShellReader(src, env, options).read();
}

/** One pass over the text; each method consumes a construct and returns the index after it. */
class ShellReader {
  private readonly text: string;
  private readonly shell: boolean;
  private readonly commands: ShellWord[][] = [];
  private words: ShellWord[] = [];
  private value = '';
  private refs: VarRef[] = [];
  private wordStart = -1;
  private lastEnd = -1;

  constructor(
    private readonly src: MappedText,
    private readonly env: Env,
    private readonly options: Options,
  ) {
    this.text = src.text;
    this.shell = options.shell !== false;
  }

  read(): ShellWord[][] {
    let i = 0;
    while (i < this.text.length) i = this.shell ? this.step(i) : this.argvStep(i);
    this.endCommand();
    return this.commands;
  }

  /** An argv element (no shell): only Kubernetes' `$(VAR)` and its `$$(` escape are special. */
  private argvStep(i: number): number {
    const { text } = this;
    if (text[i] === '$' && text[i + 1] === '$' && text[i + 2] === '(') return this.literal(i, '$(', 3);
    if (text[i] === '$') return this.dollar(i, false);
    return this.literal(i, text[i]!, 1);
  }

  private step(i: number): number {
    const { text } = this;
    const c = text[i]!;
    if (c === '\\') return this.backslash(i);
    if (c === ' ' || c === '\t' || c === '\r') {
      this.endWord();
      return i + 1;
    }
    if (c === '\n') {
      this.endCommand();
      return i + 1;
    }
    if (c === '#' && this.wordStart < 0) {
      // A comment runs to the end of its line only.
      const eol = text.indexOf('\n', i);
      return eol < 0 ? text.length : eol;
    }
    if (c === ';' || c === '&' || c === '|' || c === ')' || (c === '(' && this.wordStart < 0)) {
      this.endCommand();
      return i + 1;
    }
    if (c === "'") {
      this.begin(i);
      const close = text.indexOf("'", i + 1);
      this.value += text.slice(i + 1, close < 0 ? text.length : close);
      return (this.lastEnd = close < 0 ? text.length : close + 1);
    }
    if (c === '"') return this.doubleQuoted(i);
    if (c === '$') return this.dollar(i, false);
    return this.literal(i, c, 1);
  }

  private literal(i: number, chars: string, length: number): number {
    this.begin(i);
    this.value += chars;
    return (this.lastEnd = i + length);
  }

  private backslash(i: number): number {
    const { text } = this;
    if (text[i + 1] === '\n') return i + 2; // a continuation
    if (text[i + 1] === '\r' && text[i + 2] === '\n') return i + 3;
    this.begin(i);
    this.value += text[i + 1] ?? '';
    return (this.lastEnd = Math.min(text.length, i + 2));
  }

  private doubleQuoted(i: number): number {
    const { text } = this;
    this.begin(i);
    i++;
    while (i < text.length && text[i] !== '"') {
      const d = text[i]!;
      if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
        if (text[i + 1] !== '\n') this.value += text[i + 1];
        i += 2;
      } else if (d === '$') i = this.dollar(i, true);
      else {
        this.value += d;
        i++;
      }
    }
    return (this.lastEnd = Math.min(text.length, i + 1));
  }

  private begin(i: number): void {
    if (this.wordStart < 0) this.wordStart = i;
  }

  private endWord(): void {
    if (this.wordStart >= 0) {
      const written = this.text.slice(this.wordStart, this.lastEnd);
      const refs = this.refs;
      // A word that is one variable points at where the value is defined: a fix edits it there.
      const defined = refs.length === 1 && refs[0]!.span && WHOLE_REF.test(written) ? refs[0]!.span : undefined;
      this.words.push({
        text: this.value,
        span: defined ?? { start: this.src.offsetAt(this.wordStart), end: this.src.offsetAt(this.lastEnd - 1) + 1 },
        written,
        ...(refs.length > 0 ? { refs } : {}),
      });
    }
    this.value = '';
    this.refs = [];
    this.wordStart = -1;
  }

  private endCommand(): void {
    this.endWord();
    if (this.words.length > 0) {
      applyAssignments(this.words, this.env);
      this.commands.push(this.words);
    }
    this.words = [];
  }

  /** Appends an expansion; unquoted values split into words like a shell's field splitting. */
  private expand(i: number, next: number, ref: VarRef, expanded: string | undefined, quoted: boolean): number {
    this.begin(i);
    this.refs.push(ref);
    this.lastEnd = next;
    const piece = expanded ?? this.text.slice(i, next);
    if (quoted || expanded === undefined || !/\s/.test(piece)) {
      this.value += piece;
      return next;
    }
    piece
      .trim()
      .split(/\s+/)
      .forEach((part, k) => {
        if (k > 0) {
          this.endWord();
          this.wordStart = i;
          this.refs = [ref];
        }
        this.value += part;
      });
    return next;
  }

  /** A variable's value, or how it is missing. */
  private lookup(name: string): { ref: VarRef; value?: string } {
    const found = this.env.get(name);
    if (found && 'value' in found)
      return { ref: { name, status: 'set', ...(found.span ? { span: found.span } : {}) }, value: found.value };
    if (found) return { ref: { name, status: 'external', from: found.external } };
    return { ref: { name, status: 'unset' } };
  }

  /** `$...` at i: returns the index after the reference. */
  private dollar(i: number, quoted: boolean): number {
    const { text } = this;
    const next = text[i + 1];
    if (next === '(' && text[i + 2] !== '(') return this.parenthesized(i, quoted);
    if (!this.shell) return this.literal(i, '$', 1);
    if (next === '{') return this.braced(i, quoted);
    NAME.lastIndex = i + 1;
    const m = NAME.exec(text);
    if (m) {
      const { ref, value } = this.lookup(m[0]);
      return this.expand(i, i + 1 + m[0].length, ref, value, quoted || value === undefined);
    }
    if (next !== undefined && /[0-9@*#?!$-]/.test(next))
      return this.expand(i, i + 2, { name: `$${next}`, status: 'unset' }, undefined, quoted);
    return this.literal(i, '$', 1);
  }

  /** `$(VAR)` (Kubernetes, or make), or a command substitution skipped whole. */
  private parenthesized(i: number, quoted: boolean): number {
    const { text } = this;
    KUBE_REF.lastIndex = i;
    const kube = this.options.kubernetes || !this.shell ? KUBE_REF.exec(text) : null;
    if (kube) {
      const { ref, value } = this.lookup(kube[1]!);
      // Kubernetes substitutes the value as one argument: never split.
      return this.expand(i, i + kube[0].length, ref, value, true);
    }
    if (!this.shell) return this.literal(i, '$', 1);
    // The scan ends past the substitution, so it stays linear.
    const close = text.indexOf(')', i + 2);
    const after = close < 0 ? text.length : close + 1;
    const name = `$(${text.slice(i + 2, Math.min(after - 1, i + 42))})`;
    return this.expand(i, after, { name, status: 'unset' }, undefined, quoted);
  }

  /** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:=default}`. */
  private braced(i: number, quoted: boolean): number {
    const { text } = this;
    const close = text.indexOf('}', i + 2);
    const inner = text.slice(i + 2, close < 0 ? text.length : close);
    const after = close < 0 ? text.length : close + 1;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::?[-=](.*))?$/s.exec(inner);
    if (!m) return this.expand(i, after, { name: inner, status: 'unset' }, undefined, quoted);
    const { ref, value } = this.lookup(m[1]!);
    // `:-` also replaces an empty value; `-` only an unset one.
    const usable = value !== undefined && (value !== '' || !inner.includes(':'));
    if (usable) return this.expand(i, after, ref, value, quoted);
    if (m[2] !== undefined && ref.status !== 'external')
      return this.expand(i, after, { name: m[1]!, status: 'default' }, stripQuotes(m[2]), quoted);
    return this.expand(i, after, ref.status === 'set' ? { name: m[1]!, status: 'unset' } : ref, undefined, quoted);
  }
}

function stripQuotes(s: string): string {
  return s.replace(/^(["'])(.*)\1$/s, '$2');
}

/** `X=1`, `export X=1`, `X=1 cmd` (the value holds for the command; kept here, a close enough reading). */
function applyAssignments(words: ShellWord[], env: Env): void {
  let k = ['export', 'declare', 'local', 'readonly', 'ENV', 'ARG'].includes(words[0]?.text ?? '') ? 1 : 0;
  for (; k < words.length; k++) {
    const w = words[k]!;
    const m = ASSIGNMENT.exec(w.written);
    if (!m) break;
    const val = w.text.slice(m[1]!.length + 1);
    const unresolved = w.refs?.some((r) => r.status === 'unset' || r.status === 'external');
    if (unresolved && !val) env.set(m[1]!, { external: 'a value computed at run time' });
    else {
      // The value's own characters, when written plainly or in one pair of quotes.
      const raw = w.written.slice(m[0].length);
      const quoted = /^(["']).*\1$/s.test(raw);
      const plain = !w.refs && (quoted ? raw.slice(1, -1) === val : raw === val);
      const start = w.span.end - raw.length + (quoted ? 1 : 0);
      env.set(m[1]!, plain && val ? { value: val, span: { start, end: start + val.length } } : { value: val });
    }
  }
}

/** `sh -c SCRIPT`, `bash -lc SCRIPT`...: the index of the script argument, or -1. */
export function shellScriptIndex(words: readonly { text: string }[]): number {
  const shellName = /(^|\/)(sh|bash|zsh|dash|ash)$/;
  for (let i = 0; i < Math.min(words.length, 3); i++) {
    if (!shellName.test(words[i]!.text)) continue;
    for (let j = i + 1; j < words.length; j++) {
      const t = words[j]!.text;
      if (/^-[a-z]*c[a-z]*$/.test(t)) return j + 1 < words.length ? j + 1 : -1;
      if (!t.startsWith('-')) return -1;
    }
  }
  return -1;
}
