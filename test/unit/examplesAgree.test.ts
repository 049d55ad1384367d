/**
 * The figures written in examples/ (comments in the files, the table of examples/README.md) are
 * the figures the linter and its hover show for those files, so the two cannot drift apart again
 * (issue 15, item 9: a comment said 4.45 GiB of KV cache where the hover said another figure).
 * Every GiB, token and $/h figure in a comment must be one of the kinds checked here; a new kind
 * fails the test until a check is written for it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { findModel } from '../../src/core/catalog/models.ts';
import { lintText, readServingUnits } from '../../src/core/lint/lint.ts';
import type { LintOptions } from '../../src/core/lint/types.ts';
import { unitVerdict } from '../../src/core/lint/unitVerdict.ts';
import { MORE_CASES } from '../fixtures/published/vllmStartup.ts';

const examples = resolve(import.meta.dirname, '..', '..', 'examples');
const options: LintOptions = { findModel: (id) => findModel(id)?.architecture };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Each run of `#` comment lines as one sentence (a figure may be split over two lines). */
function commentBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*#(?!!)\s?(.*)$/.exec(line);
    if (m) current.push(m[1]!);
    else if (current.length > 0) {
      blocks.push(current.join(' '));
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current.join(' '));
  return blocks;
}

const configs = files(examples).filter((f) => /\.(ya?ml|sh|pbtxt)$/.test(f));

describe("examples: the figures written beside a config are the linter's", () => {
  test('the examples have comments with figures to check (this test reads them)', () => {
    const withFigures = configs.filter((f) => commentBlocks(readFileSync(f, 'utf8')).some((b) => /GiB|\$\d/.test(b)));
    assert.ok(withFigures.length >= 1, 'no example comment has a figure: the checks below would pass on nothing');
  });

  for (const file of configs) {
    const name = relative(examples, file);
    test(`${name}: every GiB, token and $/h figure in its comments is what the hover or the findings say`, () => {
      const text = readFileSync(file, 'utf8');
      const verdicts = readServingUnits(file, text).units.map(
        (u) => unitVerdict(u, { path: file, text, options }).text,
      );
      const messages = lintText(file, text, options).findings.map((f) => f.message);
      for (const block of commentBlocks(text)) {
        let rest = block;
        // "4.53 GiB of KV cache" and "18,560 tokens": the hover's first line says the same figures.
        for (const [pattern, say] of [
          [/(\d+(?:\.\d+)?) GiB of KV cache/g, (n: string) => `${n} GiB of KV cache`],
          [/(\d{1,3}(?:,\d{3})*) tokens/g, (n: string) => `${n} tokens`],
        ] as const) {
          for (const m of rest.matchAll(pattern))
            assert.ok(
              verdicts.some((v) => v.includes(say(m[1]!))),
              `${name}: the comment says "${m[0]}", the hover says: ${verdicts.join(' | ')}`,
            );
          rest = rest.replace(pattern, '');
        }
        // "$8.00/h": a finding states that cost.
        for (const m of rest.matchAll(/\$(\d+(?:\.\d\d)?)\/h/g))
          assert.ok(
            messages.some((msg) => msg.includes(`$${Number(m[1]).toFixed(2)}/h`)),
            `${name}: the comment says "${m[0]}", the findings say: ${messages.join(' | ')}`,
          );
        rest = rest.replace(/\$(\d+(?:\.\d\d)?)\/h/g, '');
        assert.doesNotMatch(
          rest,
          /\d\s*(GiB|GB|MiB|tokens)\b|\$\d/,
          `${name}: a figure no check here reads: "${block}"`,
        );
      }
    });
  }

  test('the Qwen3-32B example, by hand: 18,560 tokens x 256 KiB = 4.53 GiB; vLLM 0.11 logged 1.8 % less', () => {
    const text = readFileSync(join(examples, 'kubernetes', 'vllm-qwen3-32b.yaml'), 'utf8');
    const comment = commentBlocks(text)[0]!;
    // Qwen3-32B config.json: 64 layers, 8 KV heads of 128; K and V in bf16: 64 x 2 x 8 x 128 x 2 B = 262,144 B a token.
    const gib = (18_560 * 64 * 2 * 8 * 128 * 2) / 2 ** 30;
    assert.equal(gib, 4.53125);
    assert.match(comment, /4\.53 GiB of KV cache per GPU = 18,560 tokens/);
    // vLLM 0.11.0 printed 4.45 GiB of KV cache for this model, GPU, utilization and context (llm-d's published start-up figures).
    const published = MORE_CASES.find((c) => c.name === 'qwen3-32b-h100-issue');
    assert.equal(published?.want, 4.45);
    const lessPercent = ((4.53 - published.want) / 4.53) * 100;
    assert.equal(lessPercent.toFixed(1), '1.8');
    assert.match(comment, /vLLM 0\.11 logged 1\.8 % less/);
  });

  test('examples/README.md: each file\'s costs are the linter\'s, and "nothing" means no finding', () => {
    const readme = readFileSync(join(examples, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)];
    assert.ok(rows.length >= 8, 'the table of examples was read');
    for (const [, path, says] of rows) {
      const file = join(examples, path!);
      const findings = lintText(file, readFileSync(file, 'utf8'), options).findings;
      if (says!.startsWith('nothing')) assert.deepEqual(findings, [], `${path}: the README says nothing is found`);
      for (const m of says!.matchAll(/\$(\d+(?:\.\d\d)?)\/h/g))
        assert.ok(
          findings.some((f) => f.message.includes(`$${Number(m[1]).toFixed(2)}/h`)),
          `${path}: the README says ${m[0]}, the findings: ${findings.map((f) => f.message).join(' | ')}`,
        );
    }
  });
});
