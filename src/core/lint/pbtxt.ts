/**
 * Protocol-buffer text format, as in NVIDIA Triton's config.pbtxt, parsed with positions.
 * No standard JavaScript library parses the text format (protobufjs reads .proto and binary), so
 * this is a small recursive-descent parser with a depth limit.
 */
import { errorMessage } from '../errors.ts';
import type { Located, Span, TritonConfig } from './types.ts';

export type PbValue =
  | { kind: 'scalar'; text: string; span: Span }
  | { kind: 'message'; fields: PbField[]; span: Span }
  | { kind: 'list'; values: PbValue[]; span: Span };
export interface PbField {
  name: string;
  nameSpan: Span;
  value: PbValue;
}

export type PbParse = { ok: true; fields: PbField[] } | { ok: false; message: string; span: Span };

const MAX_DEPTH = 200;

class PbSyntaxError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** A cursor over the text with one method per grammar rule; failures throw PbSyntaxError at the cursor. */
class PbReader {
  private i = 0;

  constructor(private readonly text: string) {}

  parse(): PbField[] {
    return this.fieldsUntil(0, undefined);
  }

  private fail(message: string): never {
    const at = Math.min(this.i, this.text.length);
    throw new PbSyntaxError(message, { start: at, end: Math.min(this.i + 1, this.text.length) });
  }

  /** Whitespace, `#` comments and the optional `,` / `;` separators. */
  private skip(): void {
    const text = this.text;
    while (this.i < text.length) {
      const c = text[this.i];
      if (c === '#') {
        const nl = text.indexOf('\n', this.i);
        this.i = nl === -1 ? text.length : nl + 1;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === ';') this.i++;
      else break;
    }
  }

  private ident(): { text: string; span: Span } {
    const start = this.i;
    while (this.i < this.text.length && /[A-Za-z0-9_.\-+]/.test(this.text[this.i] ?? '')) this.i++;
    if (this.i === start) this.fail(`expected a field name or value, found "${this.text[this.i] ?? 'end of file'}"`);
    return { text: this.text.slice(start, this.i), span: { start, end: this.i } };
  }

  private quoted(quote: string): PbValue {
    const start = this.i++;
    let value = '';
    while (this.i < this.text.length && this.text[this.i] !== quote) {
      if (this.text[this.i] === '\\') this.i++;
      value += this.text[this.i] ?? '';
      this.i++;
    }
    if (this.i >= this.text.length) this.fail('unterminated string');
    this.i++;
    return { kind: 'scalar', text: value, span: { start, end: this.i } };
  }

  private scalar(): PbValue {
    const c = this.text[this.i];
    if (c === '"' || c === "'") return this.quoted(c);
    const word = this.ident();
    return { kind: 'scalar', text: word.text, span: word.span };
  }

  private list(depth: number): PbValue {
    const start = this.i++;
    const values: PbValue[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.i] === ']') break;
      if (this.i >= this.text.length) this.fail('unterminated list');
      values.push(this.value(depth + 1));
    }
    this.i++;
    return { kind: 'list', values, span: { start, end: this.i } };
  }

  private value(depth: number): PbValue {
    // Lists nest too (`[[[[...`): the same limit, before the stack runs out.
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.skip();
    const c = this.text[this.i];
    if (c === '{' || c === '<') return this.message(depth + 1, c === '{' ? '}' : '>');
    if (c === '[') return this.list(depth);
    return this.scalar();
  }

  private fieldsUntil(depth: number, close: string | undefined): PbField[] {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    const fields: PbField[] = [];
    for (;;) {
      this.skip();
      if (this.i >= this.text.length) {
        if (close) this.fail(`missing "${close}"`);
        return fields;
      }
      if (close && this.text[this.i] === close) return fields;
      const name = this.ident();
      this.skip();
      if (this.text[this.i] === ':') this.i++;
      fields.push({ name: name.text, nameSpan: name.span, value: this.value(depth) });
    }
  }

  private message(depth: number, close: string): PbValue {
    const start = this.i++;
    const fields = this.fieldsUntil(depth, close);
    this.i++;
    return { kind: 'message', fields, span: { start, end: this.i } };
  }
}

export function parsePbtxt(text: string): PbParse {
  try {
    return { ok: true, fields: new PbReader(text).parse() };
  } catch (error) {
    if (error instanceof PbSyntaxError) return { ok: false, message: error.message, span: error.span };
    // Anything else (a stack exhausted despite the depth limit) is still this file's failure alone.
    return { ok: false, message: errorMessage(error), span: { start: 0, end: 1 } };
  }
}

function located(value: PbValue | undefined): Located<string> | undefined {
  return value?.kind === 'scalar' ? { value: value.text, span: value.span } : undefined;
}

function number(value: PbValue | undefined): Located<number> | undefined {
  const s = located(value);
  const n = s ? Number(s.value) : NaN;
  return s && Number.isFinite(n) ? { value: n, span: s.span } : undefined;
}

/** The fields of Triton's ModelConfig the rules read. */
export function tritonConfig(fields: PbField[]): TritonConfig {
  const field = (list: PbField[], name: string) => list.find((f) => f.name === name);
  const groups = fields
    .filter((f) => f.name === 'instance_group')
    .flatMap((f) => (f.value.kind === 'list' ? f.value.values : [f.value]));
  return {
    maxBatchSize: number(field(fields, 'max_batch_size')?.value),
    dynamicBatching: (() => {
      const f = field(fields, 'dynamic_batching');
      return f ? { start: f.nameSpan.start, end: f.value.span.end } : undefined;
    })(),
    backend: located(field(fields, 'backend')?.value) ?? located(field(fields, 'platform')?.value),
    instanceGroups: groups.flatMap((g) =>
      g.kind === 'message'
        ? [
            {
              count: number(field(g.fields, 'count')?.value),
              kind: located(field(g.fields, 'kind')?.value),
              span: g.span,
            },
          ]
        : [],
    ),
  };
}
