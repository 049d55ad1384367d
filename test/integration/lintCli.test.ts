/** `gpu-workbench lint` as CI runs it; SARIF checked against the published SARIF 2.1.0 schema. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import Ajv from 'ajv-draft-04';
import type { Log } from 'sarif';
import addFormats from 'ajv-formats';

const repo = resolve(import.meta.dirname, '..', '..');
const cli = join(repo, 'bin', 'gpu-workbench.js');

async function run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  if (stdin !== undefined) {
    return new Promise((done) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: repo });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      cwd: repo,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('gpu-workbench lint', () => {
  test('--format json gives 1-based positions and exits 1 when there is an error', async () => {
    const r = await run([
      'lint',
      'examples/scripts/serve-qwen2.5-7b.sh',
      '--format',
      'json',
      '--default-gpu',
      'h100-sxm',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const { findings } = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
    const tp = findings.find((f) => f.ruleId === 'tp-divides-attention-heads');
    // Line 5 is "  --tensor-parallel-size 8 \", the value "8" at column 26.
    assert.deepEqual(
      tp && {
        file: tp.file,
        line: tp.line,
        column: tp.column,
        endLine: tp.endLine,
        endColumn: tp.endColumn,
        severity: tp.severity,
      },
      {
        file: 'examples/scripts/serve-qwen2.5-7b.sh',
        line: 5,
        column: 26,
        endLine: 5,
        endColumn: 27,
        severity: 'error',
      },
    );
    for (const f of findings)
      assert.deepEqual(Object.keys(f).sort(), [
        'column',
        'endColumn',
        'endLine',
        'file',
        'line',
        'message',
        'ruleId',
        'severity',
      ]);
  });

  test('a clean file exits 0; a missing path exits 2; a bad flag exits 2', async () => {
    assert.equal((await run(['lint', 'examples/kubernetes/vllm-qwen3-32b.yaml'])).code, 0);
    assert.equal((await run(['lint', 'examples/nope.yaml'])).code, 2);
    assert.equal((await run(['lint', '--format', 'xml', 'examples'])).code, 2);
    assert.equal((await run(['lint'])).code, 2);
  });

  test('rendered Helm output on standard input', async () => {
    const manifest = readFileSync(join(repo, 'examples/kubernetes/tgi-llama-8b.yaml'), 'utf8');
    const helm = `---\n# Source: chart/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: tgi}\nspec: {ports: [{port: 80}]}\n---\n# Source: chart/templates/statefulset.yaml\n${manifest}`;
    const r = await run(['lint', '-', '--format', 'json'], helm);
    assert.equal(r.code, 0, r.stderr); // warnings only
    const { findings } = JSON.parse(r.stdout) as { findings: { ruleId: string; file: string }[] };
    assert.ok(findings.some((f) => f.ruleId === 'gpu-count-vs-parallelism' && f.file === 'stdin.yaml'));
  });

  test('--stdin-filename picks the format of standard input (a shell script here)', async () => {
    const script = 'vllm serve Qwen/Qwen2.5-7B-Instruct --tensor-parallel-size 8\n';
    const r = await run(['lint', '-', '--stdin-filename', 'deploy/serve.sh', '--format', 'json'], script);
    assert.equal(r.code, 1, r.stderr);
    const { findings } = JSON.parse(r.stdout) as { findings: { ruleId: string; file: string; line: number }[] };
    // Qwen2.5-7B's 28 heads are not divisible by 8: read as a script, the command is found.
    assert.deepEqual(
      findings.filter((f) => f.ruleId === 'tp-divides-attention-heads').map((f) => [f.file, f.line]),
      [['deploy/serve.sh', 1]],
    );
    // Without it, standard input is YAML and a shell line is no serving config.
    const asYaml = await run(['lint', '-', '--format', 'json'], script);
    assert.deepEqual((JSON.parse(asYaml.stdout) as { findings: unknown[] }).findings, []);
  });

  test('--format json lists the units it understood beside the findings', async () => {
    const r = await run([
      'lint',
      'test/fixtures/realworld/lws-vllm-ray-405b.yaml',
      'test/fixtures/realworld/vllm-env-model.yaml',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { units } = JSON.parse(r.stdout) as { units: Record<string, unknown>[] };
    assert.deepEqual(units[0], {
      file: 'test/fixtures/realworld/lws-vllm-ray-405b.yaml',
      // Line 29: `python3 -m vllm.entrypoints.openai.api_server ...`, the second line of the sh -c string.
      line: 29,
      name: 'vllm-leader',
      engine: 'vllm',
      modelWritten: 'meta-llama/Meta-Llama-3.1-405B-Instruct',
      model: 'meta-llama/Meta-Llama-3.1-405B-Instruct',
      modelSource: 'literal',
      catalogModel: 'meta-llama/Llama-3.1-405B-Instruct',
      tp: 8,
      pp: 2,
      gpusPerPod: 8,
      podsPerGroup: 2,
      replicas: 1,
      role: 'leader',
      gpuType: 'NVIDIA H100 80GB SXM (HBM3)',
      gpuTypeSource: 'selector',
    });
    const fromEnv = units.find((u) => u.name === 'from-env');
    assert.equal(fromEnv?.modelWritten, '$(MODEL_ID)');
    assert.equal(fromEnv?.model, 'Qwen/Qwen3-8B');
    assert.equal(fromEnv?.modelSource, 'env');
    const secret = units.find((u) => u.name === 'server');
    assert.equal(secret?.modelSource, 'unresolved');
    assert.equal(secret?.model, undefined);
  });

  test('--format sarif validates against the SARIF 2.1.0 schema (OASIS, rtm.5)', async () => {
    const r = await run(['lint', 'examples', '--format', 'sarif', '--default-gpu', 'h100-sxm']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as Log;
    const schema = JSON.parse(
      readFileSync(join(repo, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    // The published schema is JSON Schema draft-04: Ajv's draft-04 build reads it as written.
    // Its 'language' pattern is not valid in Unicode mode, so patterns are compiled without the u flag.
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    // The validator does reject what GitHub would: a level SARIF does not define.
    const run0 = sarif.runs[0]!;
    const results = run0.results ?? [];
    assert.equal(
      validate({ ...sarif, runs: [{ ...run0, results: [{ ...results[0]!, level: 'fatal' as 'error' }] }] }),
      false,
    );
    assert.ok(results.length >= 10);
    // Every result points at a rule the driver describes, with its help page.
    const rules = run0.tool.driver.rules ?? [];
    for (const result of results) assert.equal(rules[result.ruleIndex ?? -1]?.id, result.ruleId);
    assert.match(
      rules.find((rule) => rule.id === 'gpu-over-provisioned')?.help?.markdown ?? '',
      /Over-provisioned: fits on fewer GPUs/,
    );
  });
});
