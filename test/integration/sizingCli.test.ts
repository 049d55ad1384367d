/**
 * `gpu-workbench estimate | suggest | train` as a person runs them, with models from the catalog,
 * a config.json file, a Hugging Face cache folder, and a loopback stand-in for the Hub.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

const repo = resolve(import.meta.dirname, '..', '..');
const cli = join(repo, 'bin', 'gpu-workbench.js');

// Qwen3-0.6B's config.json as published on the Hub (the fields that matter, with a few extra ones).
const QWEN3_0_6B = {
  architectures: ['Qwen3ForCausalLM'],
  model_type: 'qwen3',
  hidden_size: 1024,
  intermediate_size: 3072,
  num_hidden_layers: 28,
  num_attention_heads: 16,
  num_key_value_heads: 8,
  head_dim: 128,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  hidden_act: 'silu',
};

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env: { ...process.env, HF_HUB_OFFLINE: '1', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('gpu-workbench estimate', () => {
  test('--json for Llama-3.1-8B on an H100 at max_model_len 16000: vLLM logs 51.38 GiB of KV cache', async () => {
    const r = await run([
      'estimate',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--gpu',
      'h100-sxm',
      '--max-model-len',
      '16000',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.ok(Math.abs(json.kvCacheGiB - 51.38) / 51.38 < 0.05, String(json.kvCacheGiB));
    assert.equal(json.kvBytesPerToken, 131072);
    assert.equal(json.fits, true);
  });

  test('a model that does not fit exits 1 and says why', async () => {
    const r = await run([
      'estimate',
      '--model',
      'RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic',
      '--gpu',
      'NVIDIA H100 80GB HBM3',
      '--max-model-len',
      '16000',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Does not fit: No memory is left for the KV cache/);
  });

  test('--kv-cache-dtype fp8 halves the KV bytes per token', async () => {
    const r = await run([
      'estimate',
      '--model',
      'Qwen/Qwen3-32B',
      '--gpu',
      'h100-sxm',
      '--kv-cache-dtype',
      'fp8',
      '--max-model-len',
      '32000',
      '--vllm-version',
      '0.11.0',
      '--json',
    ]);
    const json = JSON.parse(r.stdout);
    // 2 x 64 layers x 8 KV heads x 128 x 1 B = 131072 B; 4.5 GiB / 128 KiB = ~36.8k tokens >= 32000
    // (vLLM 0.11.0: CUDA graphs are not yet taken out of the KV budget).
    assert.equal(json.kvBytesPerToken, 131072);
    assert.equal(json.fits, true);
  });

  test('--vllm-version picks the rules of that release and says so; a bad version is a usage error', async () => {
    const args = [
      'estimate',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--gpu',
      'h100-sxm',
      '--max-model-len',
      '8192',
    ];
    const old = await run([...args, '--vllm-version', '0.11.0', '--json']);
    const now = await run([...args, '--vllm-version', '0.21.0', '--json']);
    const [o, n] = [JSON.parse(old.stdout), JSON.parse(now.stdout)];
    assert.equal(o.vllmVersion, '0.11.0');
    assert.equal(n.vllmVersion, '0.21.0');
    // From 0.21.0 the CUDA graphs (0.3 + 32 layers x 0.006 = 0.49 GiB) come out of the KV budget.
    assert.equal(n.cudaGraphGiB, 0.49);
    assert.ok(Math.abs(o.kvCacheGiB - n.kvCacheGiB - 0.49) <= 0.011, `${o.kvCacheGiB} ${n.kvCacheGiB}`);
    const text = await run([...args, '--vllm-version', '0.10.1.1']);
    assert.match(text.stdout, /vLLM 0\.10\.1\.1 rules/);
    assert.equal((await run([...args, '--vllm-version', 'latest'])).code, 2);
  });

  test('--engine sglang: QwQ-32B on 4 L4s at mem_fraction_static 0.85 holds 46,611 tokens in the published log', async () => {
    // https://github.com/didier-durand/llms-in-clouds/blob/b001c8690e894d234cf3a2e2345d259173acf293/docs/sglang.md (SGLang 0.4.3.post4, 4 x L4):
    // "KV Cache is allocated. #tokens: 46611, K size: 1.42 GB, V size: 1.42 GB".
    const r = await run([
      'estimate',
      '--model',
      'Qwen/Qwen2.5-32B-Instruct',
      '--gpu',
      'l4',
      '--tp',
      '4',
      '--engine',
      'sglang',
      '--mem-fraction-static',
      '0.85',
      '--max-model-len',
      '32768',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.engine, 'sglang');
    assert.ok(Math.abs(json.kvCacheTokens - 46611) / 46611 < 0.02, String(json.kvCacheTokens));
    assert.equal((await run(['estimate', '--model', 'Qwen/Qwen3-0.6B', '--gpu', 'l4', '--engine', 'tgi'])).code, 2);
  });

  test('usage errors exit 2', async () => {
    for (const args of [
      ['estimate', '--model', 'Qwen/Qwen3-0.6B', '--gpu', 'tpu-v9'],
      ['estimate', '--gpu', 'h100-sxm'],
      ['estimate', '--model', 'Qwen/Qwen3-0.6B', '--gpu', 'h100-sxm', '--tp', '0'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
    }
  });
});

describe('models from files, the Hugging Face cache and the Hub', () => {
  let dir: string;
  let hub: Server;
  let hubUrl: string;
  const seen: { path: string; authorization: string | undefined }[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-models-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(QWEN3_0_6B));
    const snapshot = join(dir, 'hub', 'models--acme--tiny-qwen', 'snapshots', 'abc123');
    mkdirSync(snapshot, { recursive: true });
    mkdirSync(join(dir, 'hub', 'models--acme--tiny-qwen', 'refs'));
    writeFileSync(join(dir, 'hub', 'models--acme--tiny-qwen', 'refs', 'main'), 'abc123\n');
    writeFileSync(join(snapshot, 'config.json'), JSON.stringify(QWEN3_0_6B));
    hub = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if (req.url === '/acme/gated-qwen/resolve/main/config.json') {
        if (req.headers.authorization !== 'Bearer hf_secret_token')
          return void res.writeHead(401).end('{"error":"Access to model acme/gated-qwen is restricted."}');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify(QWEN3_0_6B));
      }
      res.writeHead(404).end('{"error":"Repository not found"}');
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', () => r()));
    hubUrl = `http://127.0.0.1:${(hub.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => hub?.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const kvGiB = async (model: string, env: NodeJS.ProcessEnv = {}) => {
    const r = await run(['estimate', '--model', model, '--gpu', 'h100-sxm', '--max-model-len', '16000', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).kvCacheGiB as number;
  };

  test('a config.json path (file or folder) gives the same numbers as the catalog entry', async () => {
    const catalog = await kvGiB('Qwen/Qwen3-0.6B');
    assert.equal(await kvGiB(join(dir, 'config.json')), catalog);
    assert.equal(await kvGiB(dir), catalog);
    // Published: 64.45 GiB for Qwen3-0.6B on an H100 at utilization 0.9.
    assert.ok(Math.abs(catalog - 64.45) / 64.45 < 0.05);
  });

  test('org/name is found in the local Hugging Face cache without the network', async () => {
    const catalog = await kvGiB('Qwen/Qwen3-0.6B');
    assert.equal(await kvGiB('acme/tiny-qwen', { HF_HUB_CACHE: join(dir, 'hub') }), catalog);
  });

  test('a gated model comes from the Hub at HF_ENDPOINT with the token, which is never printed', async () => {
    const env = { HF_HUB_OFFLINE: '0', HF_ENDPOINT: hubUrl, HF_HUB_CACHE: join(dir, 'empty-cache') };
    const denied = await run(['estimate', '--model', 'acme/gated-qwen', '--gpu', 'h100-sxm'], env);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /acme\/gated-qwen is gated or private: the Hub answered 401; set a Hugging Face token/);
    const allowed = await run(['estimate', '--model', 'acme/gated-qwen', '--gpu', 'h100-sxm', '--json'], {
      ...env,
      HF_TOKEN: 'hf_secret_token',
    });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.ok(!allowed.stdout.includes('hf_secret_token') && !allowed.stderr.includes('hf_secret_token'));
    assert.deepEqual(seen.at(-1), {
      path: '/acme/gated-qwen/resolve/main/config.json',
      authorization: 'Bearer hf_secret_token',
    });
    const missing = await run(['estimate', '--model', 'acme/nothing-here', '--gpu', 'h100-sxm'], env);
    assert.match(missing.stderr, /acme\/nothing-here was not found on the Hub \(404\)/);
  });

  test('with HF_HUB_OFFLINE=1 the Hub is never contacted', async () => {
    const before = seen.length;
    const r = await run(['estimate', '--model', 'acme/gated-qwen', '--gpu', 'h100-sxm'], {
      HF_ENDPOINT: hubUrl,
      HF_HUB_CACHE: join(dir, 'empty-cache'),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not in the catalog or the local Hugging Face cache/);
    assert.equal(seen.length, before);
  });
});

describe('gpu-workbench suggest and train', () => {
  test('suggest --json: Llama-3.1-70B on H100s needs tensor parallel 4', async () => {
    const r = await run([
      'suggest',
      '--model',
      'meta-llama/Llama-3.1-70B-Instruct',
      '--gpu',
      'h100-sxm',
      '--context',
      '8192',
      '--concurrency',
      '32',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.best.tensorParallel, 4);
    assert.ok(json.best.vllm.args.includes('--max-num-seqs'));
  });

  test('--price makes a GPU type the cheapest: H100s at $0.10/h win for Llama-3.1-8B', async () => {
    const r = await run([
      'suggest',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--rps',
      '1',
      '--price',
      'h100-sxm=0.1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.best.gpu, 'h100-sxm');
    assert.equal(json.best.costPerHour, json.best.gpus * 0.1);
    const bad = await run([
      'suggest',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--rps',
      '1',
      '--price',
      'h100=free',
    ]);
    assert.equal(bad.code, 2);
  });

  test('train --json: ZeRO-3 full fine-tuning of Llama-3.1-8B over 8 GPUs, 16 B per parameter / 8 in model states', async () => {
    const r = await run([
      'train',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--zero',
      '3',
      '--dp',
      '8',
      '--recompute',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    // 8.03e9 x 16 B / 8 = 16.06e9 B = 14.96 GiB.
    const states = json.weightsGiB + json.gradientsGiB + json.optimizerGiB;
    assert.ok(Math.abs(states - 14.96) < 0.03, String(states));
  });
});
