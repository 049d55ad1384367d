/** Linter figures: a 10,000-line manifest beside the `yaml` package parsing it alone, and hostile files. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findGpu } from '../src/core/catalog/gpus.ts';
import { findModel } from '../src/core/catalog/models.ts';
import { lintText } from '../src/core/lint/lint.ts';
import { median, type Row } from './report.ts';

const repo = resolve(import.meta.dirname, '..');
const request = { findModel: (id: string) => findModel(id)?.architecture, defaultGpu: findGpu('h100-sxm') };

/** The examples' Deployments, repeated (with distinct names) until the file has 10,000 lines. */
export function bigManifest(lines = 10_000): string {
  const docs = [
    'kubernetes/vllm-llama-8b-tp2.yaml',
    'kubernetes/vllm-qwen3-32b.yaml',
    'kubernetes/tgi-llama-8b.yaml',
  ].map((f) => readFileSync(join(repo, 'examples', f), 'utf8'));
  const out: string[] = [];
  let count = 0;
  for (let i = 0; count < lines; i++) {
    const doc = (docs[i % docs.length] ?? '').replace(/name: ([a-z0-9-]+)\n/, `name: $1-${i}\n`);
    out.push(doc);
    count += doc.split('\n').length;
  }
  return out.join('---\n');
}

function time(fn: () => unknown, runs = 15): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

function hostile(): [string, string, string][] {
  const bomb = [
    'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ...Array.from(
      { length: 9 },
      (_, i) => `a${i + 1}: &a${i + 1} [${Array.from({ length: 10 }, () => `*a${i}`).join(', ')}]`,
    ),
  ].join('\n');
  const merges = `x-common: &common\n  image: busybox\nservices:\n${Array.from({ length: 200 }, (_, i) => `  s${i}:\n    <<: *common`).join('\n')}\n`;
  return [
    ['billion laughs (10 levels of 10 aliases)', 'bomb.yaml', bomb],
    ['compose with 200 merge keys', 'docker-compose.yml', merges],
    ['a 40,000-key map', 'wide.yaml', Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`).join('\n')],
    ['20,000-deep nesting', 'deep.yaml', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
  ];
}

export function lintRows(): Row[] {
  const text = bigManifest();
  const lines = text.split('\n').length;
  const parse = time(() => parseAllDocuments(text, { uniqueKeys: false }));
  const lint = time(() => lintText('big.yaml', text, request));
  const rows: Row[] = [
    {
      figure: `lint a ${lines.toLocaleString('en-US')}-line multi-document manifest`,
      value: lint,
      unit: 'ms',
      baseline: 50,
      baselineNote: 'budget',
    },
    {
      figure: '  the same, beside the yaml package parsing it alone',
      value: lint,
      unit: 'ms',
      baseline: parse * 2,
      baselineNote: `budget: 2 x yaml's ${parse.toFixed(1)} ms`,
    },
  ];
  for (const [name, path, body] of hostile()) {
    const own = time(() => lintText(path, body, request), 5);
    const yamlAlone = time(() => parseAllDocuments(body, { uniqueKeys: false }), 5);
    rows.push(
      name.startsWith('billion')
        ? { figure: `hostile: ${name}`, value: own, unit: 'ms', baseline: 100, baselineNote: 'budget: 100 ms' }
        : {
            figure: `hostile: ${name}`,
            value: own,
            unit: 'ms',
            baseline: 2 * yamlAlone,
            baselineNote: `2 x yaml's own parse (${yamlAlone.toFixed(1)} ms)`,
          },
    );
  }
  return rows;
}
