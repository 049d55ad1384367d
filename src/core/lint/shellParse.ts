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
  const { text } = src;
  const shell = options.shell !== false;
  const commands: ShellWord[][] = [];
  let words: ShellWord[] = [];
  let value = '';
  let refs: VarRef[] = [];
  let wordStart = -1;
  let lastEnd = -1;
  const endWord = () => {
    if (wordStart >= 0) {
      const written = text.slice(wordStart, lastEnd);
      // A word that is one variable points at where the value is defined: a fix edits it there.
      const defined = refs.length === 1 && refs[0]!.span && WHOLE_REF.test(written) ? refs[0]!.span : undefined;
      words.push({
        text: value,
        span: defined ?? { start: src.offsetAt(wordStart), end: src.offsetAt(lastEnd - 1) + 1 },
        written,
        ...(refs.length > 0 ? { refs } : {}),
      });
    }
    value = '';
    refs = [];
    wordStart = -1;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) {
      applyAssignments(words, env);
      commands.push(words);
    }
    words = [];
  };
  const begin = (i: number) => {
    if (wordStart < 0) wordStart = i;
  };
  /** Appends an expansion; unquoted values split into words like a shell's field splitting. */
  const expand = (i: number, next: number, ref: VarRef, expanded: string | undefined, quoted: boolean) => {
    begin(i);
    refs.push(ref);
    lastEnd = next;
    const piece = expanded ?? text.slice(i, next);
    if (quoted || expanded === undefined || !/\s/.test(piece)) {
      value += piece;
      return;
    }
    const parts = piece.trim().split(/\s+/);
    parts.forEach((part, k) => {
      if (k > 0) {
        endWord();
        wordStart = i;
        refs = [ref];
      }
      value += part;
    });
  };
  /** `$...` at i: returns the index after the reference. */
  const dollar = (i: number, quoted: boolean): number => {
    const next = text[i + 1];
    if (next === '(' && text[i + 2] !== '(') {
      KUBE_REF.lastIndex = i;
      const ref = options.kubernetes || !shell ? KUBE_REF.exec(text) : null;
      if (ref) {
        const inner = ref[1]!;
        const after = i + ref[0].length;
        const found = env.get(inner);
        if (found && 'value' in found)
          expand(
            i,
            after,
            { name: inner, status: 'set', ...(found.span ? { span: found.span } : {}) },
            found.value,
            true,
          );
        else
          expand(
            i,
            after,
            {
              name: inner,
              status: found ? 'external' : 'unset',
              from: found && 'external' in found ? found.external : undefined,
            },
            undefined,
            quoted,
          );
        return after;
      }
      if (!shell) {
        begin(i);
        value += '$';
        lastEnd = i + 1;
        return i + 1;
      }
      // Command substitution: skipped whole (the scan ends past it, so it stays linear).
      const close = text.indexOf(')', i + 2);
      const after = close < 0 ? text.length : close + 1;
      expand(
        i,
        after,
        { name: `$(${text.slice(i + 2, Math.min(after - 1, i + 42))})`, status: 'unset' },
        undefined,
        quoted,
      );
      return after;
    }
    if (!shell) {
      begin(i);
      value += '$';
      lastEnd = i + 1;
      return i + 1;
    }
    if (next === '{') {
      const close = text.indexOf('}', i + 2);
      const inner = text.slice(i + 2, close < 0 ? text.length : close);
      const after = close < 0 ? text.length : close + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::?[-=](.*))?$/s.exec(inner);
      if (!m) {
        expand(i, after, { name: inner, status: 'unset' }, undefined, quoted);
        return after;
      }
      const name = m[1]!;
      const found = env.get(name);
      if (found && 'value' in found && (found.value !== '' || !inner.includes(':')))
        expand(i, after, { name, status: 'set', ...(found.span ? { span: found.span } : {}) }, found.value, quoted);
      else if (m[2] !== undefined && !(found && 'external' in found))
        expand(i, after, { name, status: 'default' }, stripQuotes(m[2]), quoted);
      else
        expand(
          i,
          after,
          {
            name,
            status: found ? 'external' : 'unset',
            from: found && 'external' in found ? found.external : undefined,
          },
          undefined,
          quoted,
        );
      return after;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(text);
    if (m) {
      const name = m[0];
      const after = i + 1 + name.length;
      const found = env.get(name);
      if (found && 'value' in found)
        expand(i, after, { name, status: 'set', ...(found.span ? { span: found.span } : {}) }, found.value, quoted);
      else
        expand(
          i,
          after,
          {
            name,
            status: found ? 'external' : 'unset',
            from: found && 'external' in found ? found.external : undefined,
          },
          undefined,
          quoted,
        );
      return after;
    }
    if (next !== undefined && /[0-9@*#?!$-]/.test(next)) {
      expand(i, i + 2, { name: `$${next}`, status: 'unset' }, undefined, quoted);
      return i + 2;
    }
    begin(i);
    value += '$';
    lastEnd = i + 1;
    return i + 1;
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (!shell) {
      if (c === '$' && text[i + 1] === '$' && text[i + 2] === '(') {
        begin(i);
        value += '$(';
        lastEnd = i + 3;
        i += 3;
      } else if (c === '$') i = dollar(i, false);
      else {
        begin(i);
        value += c;
        lastEnd = ++i;
      }
      continue;
    }
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (text[i + 1] === '\r' && text[i + 2] === '\n') {
        i += 3;
        continue;
      }
      begin(i);
      value += text[i + 1] ?? '';
      lastEnd = i = Math.min(text.length, i + 2);
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '\n') {
      endCommand();
      i++;
      continue;
    }
    if (c === '#' && wordStart < 0) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || ((c === '(' || c === ')') && wordStart < 0) || c === ')') {
      endCommand();
      i++;
      continue;
    }
    if (c === "'") {
      begin(i);
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      value += text.slice(i + 1, end);
      lastEnd = i = close < 0 ? text.length : close + 1;
      continue;
    }
    if (c === '"') {
      begin(i);
      i++;
      while (i < text.length && text[i] !== '"') {
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') value += text[i + 1];
          i += 2;
        } else if (d === '$') {
          i = dollar(i, true);
        } else {
          value += d;
          i++;
        }
      }
      lastEnd = i = Math.min(text.length, i + 1);
      continue;
    }
    if (c === '$') {
      i = dollar(i, false);
      continue;
    }
    begin(i);
    value += c;
    lastEnd = ++i;
  }
  endCommand();
  return commands;
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
