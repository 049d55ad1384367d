/**
 * Protocol-buffer text format, as in NVIDIA Triton's config.pbtxt, parsed with positions.
 * No standard JavaScript library parses the text format (protobufjs reads .proto and binary), so
 * this is a small recursive-descent parser with a depth limit.
 */
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

export function parsePbtxt(text: string): PbParse {
  let i = 0;
  const fail = (message: string): never => {
    throw Object.assign(new Error(message), {
      span: { start: Math.min(i, text.length), end: Math.min(i + 1, text.length) },
    });
  };
  const skip = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '#') {
        const nl = text.indexOf('\n', i);
        i = nl === -1 ? text.length : nl + 1;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === ';') i++;
      else break;
    }
  };
  const ident = (): { text: string; span: Span } => {
    const start = i;
    while (i < text.length && /[A-Za-z0-9_.\-+]/.test(text[i] ?? '')) i++;
    if (i === start) fail(`expected a field name or value, found "${text[i] ?? 'end of file'}"`);
    return { text: text.slice(start, i), span: { start, end: i } };
  };
  const scalar = (): PbValue => {
    const c = text[i];
    if (c === '"' || c === "'") {
      const start = i;
      i++;
      let value = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      if (i >= text.length) fail('unterminated string');
      i++;
      return { kind: 'scalar', text: value, span: { start, end: i } };
    }
    const word = ident();
    return { kind: 'scalar', text: word.text, span: word.span };
  };
  const value = (depth: number): PbValue => {
    // Lists nest too (`[[[[...`): the same limit, before the stack runs out.
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    skip();
    const c = text[i];
    if (c === '{' || c === '<') return message(depth + 1, c === '{' ? '}' : '>');
    if (c === '[') {
      const start = i;
      i++;
      const values: PbValue[] = [];
      for (;;) {
        skip();
        if (text[i] === ']') break;
        if (i >= text.length) fail('unterminated list');
        values.push(value(depth + 1));
      }
      i++;
      return { kind: 'list', values, span: { start, end: i } };
    }
    return scalar();
  };
  const fieldsUntil = (depth: number, close: string | undefined): PbField[] => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    const fields: PbField[] = [];
    for (;;) {
      skip();
      if (i >= text.length) {
        if (close) fail(`missing "${close}"`);
        return fields;
      }
      if (close && text[i] === close) return fields;
      const name = ident();
      skip();
      if (text[i] === ':') i++;
      fields.push({ name: name.text, nameSpan: name.span, value: value(depth) });
    }
  };
  const message = (depth: number, close: string): PbValue => {
    const start = i;
    i++;
    const fields = fieldsUntil(depth, close);
    i++;
    return { kind: 'message', fields, span: { start, end: i } };
  };
  try {
    return { ok: true, fields: fieldsUntil(0, undefined) };
  } catch (error) {
    return {
      ok: false,
      message: (error as Error).message,
      span: (error as { span?: Span }).span ?? { start: 0, end: 1 },
    };
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
