/**
 * Serving engines inside command lines: `sh -c` scripts, `exec`, `&&` chains, `docker run` with
 * `--gpus`, Ray nodes, and the hints that the GPU is AMD.
 */
import { imageEngine, parseEngineArgs, parseEngineCommand, rayStart, TGI_ENV, type EngineWord } from './engineArgs.ts';
import { envEntry, shellCommands, shellScriptIndex, verbatim, type Env, type ShellWord } from './shellParse.ts';
import type { EngineCommand, Located, Span } from './types.ts';

/** What a command line runs. */
export interface FoundCommand {
  engine?: EngineCommand;
  rayNode?: 'head' | 'worker';
  /** `docker run --gpus`: GPUs given to the container ('all' = every GPU of the host). */
  dockerGpus?: Located<number | 'all'>;
  acceleratorHint?: string;
}

/**
 * Things that mean an accelerator other than an NVIDIA GPU, by vendor. AMD: ROCm's device
 * variables, vLLM's ROCm switches and attention backends, /dev/kfd, ROCm images, AMD's device
 * plugin resource. Intel Gaudi (Habana), AWS Neuron, Google TPU and Intel GPUs by their runtime
 * variables, device plugin resources and images.
 */
const ACCELERATOR_HINTS: [string, RegExp][] = [
  [
    'AMD',
    /\b(HIP_VISIBLE_DEVICES|ROCR_VISIBLE_DEVICES|VLLM_ROCM_[A-Z0-9_]+|ROCM_[A-Z0-9_]+|SGLANG_USE_AITER|amd\.com\/gpu)\b|\/dev\/kfd|\brocm\/[\w.-]+|\bvllm-rocm\b/,
  ],
  ['Intel Gaudi', /\b(HABANA_VISIBLE_DEVICES|PT_HPU_[A-Z0-9_]+)\b|habana\.ai|\b(tgi|vllm)-gaudi\b|--runtime[= ]habana/],
  ['AWS Neuron', /aws\.amazon\.com\/neuron|\/dev\/neuron|\bNEURON_RT_[A-Z0-9_]+\b|optimum-neuron|\bneuronx-[\w-]+/],
  ['Google TPU', /google\.com\/tpu|\bvllm-tpu\b|\bTPU_(CHIPS_PER|ACCELERATOR_TYPE|WORKER)[A-Z_]*\b/],
  ['Intel GPU', /\bZE_AFFINITY_MASK\b|gpu\.intel\.com\/|\b(tgi|vllm)-xpu\b/],
];

/** The first hint of a non-NVIDIA accelerator in a text, as "vendor: what was seen". */
export function acceleratorHintIn(text: string): string | undefined {
  for (const [vendor, pattern] of ACCELERATOR_HINTS) {
    const m = pattern.exec(text);
    if (m) return `${vendor}: ${m[0]}`;
  }
  return undefined;
}

/** A hint in an environment: a variable's name (HIP_VISIBLE_DEVICES), or a value (VLLM_ATTENTION_BACKEND=ROCM_FLASH). */
export function acceleratorHintInEnv(env: Env): string | undefined {
  for (const [name, value] of env) {
    const hint = acceleratorHintIn(name) ?? ('value' in value ? acceleratorHintIn(value.value) : undefined);
    if (hint) return hint;
  }
  return undefined;
}

/** Docker options that take a value (the word after them is not the image). */
const DOCKER_VALUE_OPTIONS = new Set([
  '-e',
  '--env',
  '-v',
  '--volume',
  '-p',
  '--publish',
  '--name',
  '--ipc',
  '--shm-size',
  '--env-file',
  '--network',
  '--net',
  '-w',
  '--workdir',
  '--entrypoint',
  '--device',
  '--group-add',
  '--security-opt',
  '--cap-add',
  '--mount',
  '--ulimit',
  '-u',
  '--user',
  '--runtime',
  '--gpus',
  '-m',
  '--memory',
  '--cpus',
  '-h',
  '--hostname',
  '-l',
  '--label',
  '--restart',
  '--add-host',
  '--pid',
  '--platform',
  '--pull',
  '--log-driver',
  '--log-opt',
  '--tmpfs',
  '--cidfile',
  '--cpuset-cpus',
]);

function dockerGpus(value: string, span: Span): Located<number | 'all'> | undefined {
  // --gpus all | 2 | "device=0,1" | '"device=0,1"' | count=2 (docker run reference, --gpus)
  const v = value.replace(/^["']|["']$/g, '');
  if (v === 'all') return { value: 'all', span };
  const device = /device=([\d,]+)/.exec(v);
  if (device) return { value: device[1]!.split(',').filter(Boolean).length, span };
  const count = /^(?:count=)?(\d+)$/.exec(v);
  if (count) return { value: Number(count[1]), span };
  return undefined;
}

/** TGI configured through environment variables (docker -e, a container's env). */
export function withTgiEnv(command: EngineCommand, env: Env, span: Span): EngineCommand {
  const result = { ...command } as unknown as Record<string, unknown>;
  for (const [name, key] of Object.entries(TGI_ENV)) {
    const found = env.get(name);
    if (!found || result[key] || (key === 'model' && command.unresolvedModel)) continue;
    const at = found.span ?? span;
    if ('external' in found) {
      if (key === 'model') {
        result.unresolvedModel = { value: name, span: at, external: true };
        result.modelSource = 'unresolved';
      }
      continue;
    }
    if (key === 'model') {
      const words = [{ text: found.value, span: at, refs: [{ name, status: 'set' as const }], written: `$${name}` }];
      const parsed = parseEngineArgs('tgi', [{ text: '--model-id', span: at }, ...words], span);
      Object.assign(result, {
        model: parsed.model,
        modelSource: parsed.model ? 'env' : 'unresolved',
        unresolvedModel: parsed.unresolvedModel,
        modelWritten: name,
      });
      continue;
    }
    const n = found.value.trim() === '' ? NaN : Number(found.value);
    if (key === 'quantization' || key === 'kvCacheDtype') result[key] = { value: found.value, span: at };
    else if (Number.isFinite(n)) result[key] = { value: n, span: at };
  }
  return result as unknown as EngineCommand;
}

function dockerRun(words: ShellWord[], env: Env, whole: Span): FoundCommand | undefined {
  const run = words.findIndex(
    (w, i) => w.text === 'run' && /(^|\/)(docker|podman|nvidia-docker)$/.test(words[i - 1]?.text ?? ''),
  );
  if (run < 0) return undefined;
  const local: Env = new Map(env);
  let gpus: Located<number | 'all'> | undefined;
  let entrypoint = false;
  let hint: string | undefined;
  let i = run + 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (!w.text.startsWith('-')) break;
    const eq = w.text.indexOf('=');
    const flag = eq > 0 && w.text.startsWith('--') ? w.text.slice(0, eq) : w.text;
    const takes = DOCKER_VALUE_OPTIONS.has(flag);
    const value = eq > 0 && w.text.startsWith('--') ? w.text.slice(eq + 1) : takes ? words[i + 1]?.text : undefined;
    const valueSpan = eq > 0 && w.text.startsWith('--') ? w.span : (words[i + 1]?.span ?? w.span);
    if (takes && !(eq > 0 && w.text.startsWith('--'))) i++;
    if (value === undefined) continue;
    if (flag === '--gpus') gpus = dockerGpus(value, valueSpan);
    if (flag === '--entrypoint') entrypoint = true;
    if (flag === '--runtime') hint ??= acceleratorHintIn(`--runtime=${value}`);
    if (flag === '--device') hint ??= acceleratorHintIn(value); // /dev/kfd is AMD; /dev/dri alone is not
    if (flag === '-e' || flag === '--env') {
      const entry = envEntry(value);
      if (entry) local.set(...entry);
      hint ??= acceleratorHintIn(entry?.[0] ?? '');
    }
  }
  const image = words[i]?.text ?? '';
  hint ??= acceleratorHintIn(image);
  const args = words.slice(i + 1);
  let engine = parseEngineCommand(args, whole);
  const fromImage = imageEngine(image);
  if (!engine && fromImage && !entrypoint && (args.length > 0 || fromImage === 'tgi'))
    engine = parseEngineArgs(fromImage, args, whole);
  if (engine?.engine === 'tgi') engine = withTgiEnv(engine, local, words[i]?.span ?? whole);
  return { engine, dockerGpus: gpus, acceleratorHint: hint, rayNode: rayStart(args) };
}

/** Every engine (or Ray node) that a list of commands starts; `sh -c` scripts are read one level down. */
export function findInCommands(commands: ShellWord[][], env: Env, kubernetes: boolean, depth = 0): FoundCommand[] {
  const found: FoundCommand[] = [];
  for (const words of commands) {
    if (words.length === 0) continue;
    const whole = { start: words[0]!.span.start, end: words.at(-1)!.span.end };
    const script = shellScriptIndex(words);
    if (script >= 0 && depth < 2) {
      const w = words[script]!;
      // A quoted script: its characters sit one after the opening quote, in order.
      const base = /^["']/.test(w.written) ? w.span.start + 1 : w.span.start;
      const inner = shellCommands({ text: w.text, offsetAt: (k) => Math.min(w.span.end, base + k) }, new Map(env), {
        kubernetes,
      });
      found.push(...findInCommands(inner, env, kubernetes, depth + 1));
      continue;
    }
    const docker = dockerRun(words, env, whole);
    if (docker) {
      found.push(docker);
      continue;
    }
    const engine = parseEngineCommand(words as EngineWord[], whole);
    const rayNode = rayStart(words);
    if (engine || rayNode)
      found.push({ engine: engine?.engine === 'tgi' ? withTgiEnv(engine, env, whole) : engine, rayNode });
  }
  return found;
}

/** Shell text (a script line, a Markdown block) -> what it runs. */
export function findInScript(text: string, base: number, env: Env): FoundCommand[] {
  return findInCommands(shellCommands(verbatim(text, base), env), env, false);
}
