/** Bad input gets a clear finding, never an exception or a hang (the timings are in npm run bench). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { lintText, MAX_LINT_BYTES } from '../../src/core/lint/lint.ts';

const examples = resolve(import.meta.dirname, '..', '..', 'examples');
const request = { findModel: (id: string) => findModel(id)?.architecture, defaultGpu: findGpu('h100-sxm') };

export function billionLaughs(levels = 10): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++)
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

describe('hostile and half-typed files', () => {
  test('every prefix of every example lints without throwing, findings inside the text', () => {
    const files = (readdirSync(examples, { recursive: true }) as string[]).filter((f) => /\.(ya?ml|pbtxt|sh)$/.test(f));
    assert.ok(files.length >= 9);
    for (const file of files) {
      const text = readFileSync(join(examples, file), 'utf8');
      for (let end = 0; end <= text.length; end += 7) {
        const prefix = text.slice(0, end);
        const { findings } = lintText(file, prefix, request);
        for (const f of findings)
          assert.ok(
            f.span.start >= 0 && f.span.end <= prefix.length && f.span.start <= f.span.end,
            `${file}[0:${end}] ${f.ruleId}`,
          );
      }
    }
  });

  test('a YAML syntax error stays at its position', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: "unterminated\n';
    const errors = lintText('p.yaml', text, request).findings.filter((f) => f.ruleId === 'file-not-linted');
    assert.ok(errors.length > 0);
    assert.ok(errors[0]!.span.start >= text.indexOf('"unterminated'), JSON.stringify(errors[0]));
  });

  test('an alias bomb is not expanded (10^10 "lol"s would never finish)', () => {
    const { findings } = lintText('bomb.yaml', billionLaughs(10), request);
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
  });

  test('200 merge keys in a compose file are legal and give no false error', () => {
    const services = Array.from(
      { length: 200 },
      (_, i) => `  svc${i}:\n    <<: *common\n    command: ["echo", "${i}"]`,
    ).join('\n');
    const text = `x-common: &common\n  image: busybox\n  restart: always\nservices:\n${services}\n`;
    assert.deepEqual(lintText('docker-compose.yml', text, request).findings, []);
  });

  test('a 40,000-key map and 20,000-deep nesting end with at most a clear finding', () => {
    const wide = `${Array.from({ length: 40_000 }, (_, i) => `key${i}: ${i}`).join('\n')}\n`;
    assert.deepEqual(lintText('wide.yaml', wide, request).findings, []);
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    const result = lintText('deep.yaml', deep, request);
    assert.ok(result.findings.every((f) => f.ruleId === 'file-not-linted'));
    const deepPb = `${'a {'.repeat(5_000)}${'}'.repeat(5_000)}`;
    assert.match(lintText('config.pbtxt', deepPb, request).findings[0]?.message ?? '', /nested deeper than 200 levels/);
  });

  test('binary, oversize and comment-only files', () => {
    assert.match(lintText('x.yaml', 'apiVersion: v1\u0000\u0001\u0002', request).findings[0]?.message ?? '', /binary/);
    assert.match(
      lintText('x.yaml', 'a: b\n'.repeat(MAX_LINT_BYTES / 5 + 10), request).findings[0]?.message ?? '',
      /over the 2 MiB limit/,
    );
    assert.deepEqual(lintText('x.yaml', '# just a comment\n---\n# another\n', request).findings, []);
    assert.deepEqual(lintText('x.sh', '', request).findings, []);
  });
});

describe('duplicate keys', () => {
  test('a duplicated GPU limit is an error at the second key; merge keys are not duplicates', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      resources:\n        limits:\n          nvidia.com/gpu: 1\n          nvidia.com/gpu: 4\n';
    const dup = lintText('p.yaml', text, request).findings.filter((f) => f.ruleId === 'duplicate-key');
    assert.equal(dup.length, 1);
    assert.equal(dup[0]!.span.start, text.lastIndexOf('nvidia.com/gpu'));
    const merges = 'base: &b {a: 1}\nx:\n  <<: *b\n  <<: *b\n  c: 2\n';
    assert.deepEqual(lintText('m.yaml', merges, request).findings, []);
  });
});
