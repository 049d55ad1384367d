/**
 * YAML read with the `yaml` package's document API, never converted to plain objects: aliases are
 * not expanded (an alias bomb stays a few nodes), duplicate keys are not scanned (a 40,000-key map
 * stays linear), and every value keeps its source range.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Located, Span } from './types.ts';
import { errorMessage } from '../errors.ts';

export interface YamlProblem {
  message: string;
  span: Span;
  /** A file not read at all (past a work cap) is information, as a file past the size cap is. */
  severity?: 'info';
}

export interface ParsedYaml {
  documents: Document.Parsed[];
  problems: YamlProblem[];
}

/** Deeper than this, the file is reported and its nodes are not walked. */
export const MAX_DEPTH = 500;

/**
 * The parser's work, capped before it starts. Under the 2 MiB file cap a "soup" of tiny nodes
 * (`[a,a,a,...]`, a million `- a` lines, `*x` aliases, `[[[[...`) took the parser 4-18 s and
 * 0.6-2.7 GB. A real manifest of 2 MiB has some 70,000 lines; these caps are twice that and more.
 */
export const YAML_LIMITS = { nodes: 150_000, aliases: 10_000, depth: 200, documents: 10_000, problems: 100 } as const;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13;
}

/**
 * An upper estimate of the parser's nodes, aliases, nesting and documents, in one linear pass
 * over the characters (quotes are not tracked, so a bracket in a string counts; the caps leave room).
 * Why the text is too much work to parse, or undefined.
 */
export function yamlWorkProblem(text: string): string | undefined {
  let nodes = 0;
  let aliases = 0;
  let documents = 0;
  let flowDepth = 0;
  let lineDepth = 0;
  let inIndent = true;
  let previous = 10;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      nodes++;
      inIndent = true;
      lineDepth = 0;
    } else if (code === 44) nodes++;
    else if (code === 91 || code === 123) {
      nodes++;
      flowDepth++;
      if (flowDepth > YAML_LIMITS.depth) return `nested deeper than ${YAML_LIMITS.depth} levels`;
    } else if (code === 93 || code === 125) flowDepth = Math.max(0, flowDepth - 1);
    else if (
      code === 42 &&
      (isSpace(previous) || previous === 10 || previous === 44 || previous === 91 || previous === 58)
    ) {
      aliases++;
      if (aliases > YAML_LIMITS.aliases) return `more than ${YAML_LIMITS.aliases} aliases`;
    } else if (
      code === 45 &&
      inIndent &&
      (i + 1 === text.length || isSpace(text.charCodeAt(i + 1)) || text.charCodeAt(i + 1) === 10)
    ) {
      // `- - - x`: a block sequence per dash on one line.
      nodes++;
      lineDepth++;
      if (lineDepth > YAML_LIMITS.depth) return `nested deeper than ${YAML_LIMITS.depth} levels`;
    } else if (code === 45 && previous === 10 && text.startsWith('---', i)) {
      documents++;
      if (documents > YAML_LIMITS.documents) return `more than ${YAML_LIMITS.documents} documents`;
    } else if (!isSpace(code)) inIndent = false;
    if (nodes > YAML_LIMITS.nodes) return `more than ${YAML_LIMITS.nodes} lines and items`;
    previous = code;
  }
  return undefined;
}

/**
 * Duplicate keys, found with a Set per map in one pass (the parser's own check is quadratic and
 * is turned off). Walks iteratively, so deep nesting cannot overflow the stack.
 */
export function duplicateKeys(root: unknown): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) continue;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        if (isScalar(item.key) && item.key.value !== '<<') {
          const key = String(item.key.value);
          if (seen.has(key) && problems.length < YAML_LIMITS.problems)
            problems.push({
              message: `Duplicate key "${key}": YAML keeps only one of them, so this map does not say what it seems to.`,
              span: spanOf(item.key as Node),
            });
          seen.add(key);
        }
        stack.push({ node: item.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return problems;
}

export function parseYaml(text: string): ParsedYaml {
  const tooMuch = yamlWorkProblem(text);
  if (tooMuch)
    return {
      documents: [],
      problems: [
        {
          message: `Not read: this file has ${tooMuch}, more than a serving config needs (a limit that keeps the editor responsive).`,
          span: { start: 0, end: Math.min(1, text.length) },
          severity: 'info',
        },
      ],
    };
  try {
    const documents = parseAllDocuments(text, {
      uniqueKeys: false,
      prettyErrors: false,
      keepSourceTokens: false,
      strict: false,
    });
    const list = Array.isArray(documents) ? documents : [];
    // Aliases are looked up (merge keys, `deploy: *gpu`), never expanded: one pass records each target.
    if (/(^|[\s[{,:-])\*[^\s,\]}]/m.test(text)) for (const doc of list) recordAliases(doc);
    const problems = list
      .flatMap((doc) => doc.errors)
      .slice(0, YAML_LIMITS.problems)
      .map((e) => ({
        message: e.message.split('\n')[0] ?? 'YAML error',
        span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) },
      }));
    return { documents: list.filter((doc) => doc.contents !== null), problems };
  } catch (error) {
    // e.g. a RangeError from nesting deeper than the parser's stack
    return {
      documents: [],
      problems: [
        {
          message: `This file cannot be read as YAML: ${errorMessage(error)}`,
          span: { start: 0, end: Math.min(1, text.length) },
        },
      ],
    };
  }
}

const ALIAS_TARGETS = new WeakMap<Alias, Node>();

function recordAliases(doc: Document.Parsed): void {
  const anchors = new Map<string, Node>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) ALIAS_TARGETS.set(node, target);
    } else if (node && typeof node === 'object' && 'anchor' in node && typeof node.anchor === 'string')
      anchors.set(node.anchor, node as Node);
  });
}

/** An alias's target (one step; an alias of an alias is followed a few times at most). */
export function deref(node: unknown): unknown {
  let current = node;
  for (let i = 0; i < 4 && isAlias(current); i++) current = ALIAS_TARGETS.get(current);
  return current;
}

export function spanOf(node: Node | null | undefined): Span {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : { start: 0, end: 0 };
}

/**
 * The child of a map by key, following YAML merge keys (`<<: *base`, `<<: [*a, *b]`; the map's
 * own keys win) and an alias given as the value; bounded, never expanding aliases inside values.
 */
export function child(node: unknown, key: string, depth = 0): Node | undefined {
  const map = deref(node);
  if (!isMap(map)) return undefined;
  let merged: unknown;
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    if (String(item.key.value) === key) return (deref(item.value) ?? undefined) as Node | undefined;
    if (item.key.value === '<<' && merged === undefined) merged = item.value;
  }
  if (merged === undefined || depth > 4) return undefined;
  for (const source of isSeq(merged) ? merged.items : [merged]) {
    const found = child(source, key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function pairOf(node: unknown, key: string): Pair<Node, Node> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find(
    (item): item is Pair<Node, Node> => isPair(item) && isScalar(item.key) && String(item.key.value) === key,
  );
}

export function path(node: unknown, ...keys: string[]): Node | undefined {
  let current: unknown = node;
  for (const key of keys) {
    current = child(current, key);
    if (current === undefined) return undefined;
  }
  return current as Node;
}

/** The value span of a scalar without its quotes. */
export function scalarValueSpan(node: Node): Span {
  const span = spanOf(node);
  if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'))
    return { start: span.start + 1, end: Math.max(span.start + 1, span.end - 1) };
  return span;
}

export function str(node: unknown): Located<string> | undefined {
  if (!isScalar(node)) return undefined;
  const value: unknown = node.value;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint')
    return undefined;
  return { value: String(value), span: scalarValueSpan(node) };
}

export function num(node: unknown): Located<number> | undefined {
  const s = str(node);
  if (!s) return undefined;
  const n = Number(s.value);
  return Number.isFinite(n) && s.value.trim() !== '' ? { value: n, span: s.span } : undefined;
}

export function items(node: unknown): Node[] {
  node = deref(node);
  if (!isSeq(node)) return [];
  return node.items.filter((n): n is Node => n !== null && !isAlias(n)) as Node[];
}

export function mapEntries(node: unknown): [string, Node | undefined, Pair][] {
  node = deref(node);
  if (!isMap(node)) return [];
  return (node as YAMLMap).items
    .filter(isPair)
    .flatMap((p) =>
      isScalar(p.key)
        ? [[String(p.key.value), (p.value ?? undefined) as Node | undefined, p] as [string, Node | undefined, Pair]]
        : [],
    );
}

/** Indentation of the line that holds `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}
