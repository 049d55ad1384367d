/** Offsets, lines and shell-like words, all keeping positions in the original text. */
import type { Span } from './types.ts';

export interface LineColumn {
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units */
  column: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): LineColumn {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
  lineStart(line: number): number {
    return this.starts[line - 1] ?? 0;
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

export interface Word {
  text: string;
  span: Span;
}

/**
 * Splits a command line into words the way a POSIX shell would for the cases that matter here:
 * spaces, single and double quotes, backslash-newline continuations. Spans cover each word as
 * written (quotes included).
 */
export function shellWords(text: string, base = 0): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 3 : 2;
      continue;
    }
    if (c === '#') break; // a comment ends the command
    const start = i;
    let value = '';
    while (i < text.length && !/[\s]/.test(text[i] ?? '')) {
      const ch = text[i] ?? '';
      if (ch === '\\' && text[i + 1] === '\n') break;
      if (ch === "'" || ch === '"') {
        const close = text.indexOf(ch, i + 1);
        // An unterminated quote runs to the end of the text, and no further.
        const end = close === -1 ? text.length : close;
        value += text.slice(i + 1, end);
        i = close === -1 ? text.length : close + 1;
        continue;
      }
      if (ch === ';' || ch === '|' || ch === '&') break;
      value += ch;
      i++;
    }
    if (i === start) {
      i++; // a lone separator
      continue;
    }
    words.push({ text: value, span: { start: base + start, end: base + i } });
  }
  return words;
}
