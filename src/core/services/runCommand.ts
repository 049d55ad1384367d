/**
 * "Run…" on a serving command written in a file: which commands a file has (a `vllm serve` /
 * `python -m vllm.entrypoints.openai.api_server` / `python -m sglang.launch_server` /
 * `text-generation-launcher` line in a script or Markdown, a plan's exported `vllm serve` lines, a
 * compose service) and the exact argv each runs with. Nothing here goes through a shell: a command
 * is split once, as a POSIX shell would, and then passed on as a list of words.
 */
import { readServingUnits } from '../lint/lint.ts';
import { shellCommands, verbatim, type Env, type ShellWord } from '../lint/shellParse.ts';
import { sizeUnit } from '../lint/sizingLookup.ts';
import type { LintOptions, ServingUnit, Span } from '../lint/types.ts';
import { parallelism } from '../lint/unitHelpers.ts';
import { recognizeEngine, type RecognizedEngine, type ServiceEngine } from './engineMetrics.ts';

/** A command a file asks to run: its words, the variables set before it, and what it serves. */
export interface RunnableCommand {
  kind: 'command';
  span: Span;
  engine: ServiceEngine;
  model?: string;
  port: number;
  /** `NAME=value` words before the command (CUDA_VISIBLE_DEVICES=0,1 vllm serve ...). */
  env: [string, string][];
  argv: string[];
  unit: ServingUnit;
}

/** A compose service: `docker compose --file <file> up <service>` runs it as compose would. */
export interface RunnableComposeService {
  kind: 'compose';
  span: Span;
  engine: ServiceEngine;
  model?: string;
  port: number;
  service: string;
  unit: ServingUnit;
}

/** A serving command that cannot be run as written, and why (shown instead of running it). */
export interface RefusedCommand {
  kind: 'refused';
  span: Span;
  reason: string;
  unit: ServingUnit;
}

export type Runnable = RunnableCommand | RunnableComposeService | RefusedCommand;

const GIB = 1024 ** 3;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
/** Words a shell would treat as redirections or job control, which an argv cannot carry. */
const SHELL_ONLY = /^(\d*[<>]|&>|\||;|&&|\|\||`|\$\()/;
/** A redirection inside an unquoted word (`m>log`), or a command substitution anywhere in one. */
const SHELL_INSIDE = /^[^'"]*[<>]|`/;
/** Shell grammar a command line can start with, which no program is named (`if ...; then vllm serve`). */
const RESERVED =
  /^(!|\{|\}|\(|\)|if|then|else|elif|fi|do|done|while|until|for|in|case|esac|select|function|time|coproc)$/;

/** Where the line at `start` ends, backslash-newline continuations included. */
function logicalLineEnd(text: string, start: number): number {
  let at = start;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    if (text[nl - 1] !== '\\' && !(text[nl - 1] === '\r' && text[nl - 2] === '\\')) return nl;
    at = nl + 1;
  }
}

/** The words of the command at `span`, with the variables a script set above it. */
function commandAt(
  text: string,
  span: Span,
  markdown: boolean,
  unit: ServingUnit,
): Omit<RunnableCommand, 'unit'> | string {
  const env: Env = new Map();
  let words: ShellWord[] | undefined;
  // A script is read whole, so its assignments above the line apply; Markdown prose is not a script.
  if (!markdown) words = shellCommands(verbatim(text), env).find((c) => c[0]?.span.start === span.start);
  // A command inside `sh -c '...'` or a Markdown block: read from its first word to the end of its line.
  if (!words) {
    const end = Math.max(span.end, logicalLineEnd(text, span.start));
    const scope: Env = new Map();
    if (!markdown) shellCommands(verbatim(text.slice(0, span.start)), scope);
    words = shellCommands(verbatim(text.slice(span.start, end), span.start), scope).find((c) => c.length > 0);
  }
  if (!words) return 'the command line is empty';
  const missing = words.flatMap((w) => w.refs ?? []).find((r) => r.status === 'unset' || r.status === 'external');
  if (missing)
    return missing.status === 'external'
      ? `it uses $${missing.name}, whose value comes from ${missing.from ?? 'outside this file'}`
      : `it uses $${missing.name}, which is not set in this file`;
  const shellOnly = words.find((w) => SHELL_ONLY.test(w.written) || SHELL_INSIDE.test(w.written));
  if (shellOnly) return `"${shellOnly.written.slice(0, 40)}" needs a shell; run the line in a terminal yourself`;
  // The command alone on its line: part of a pipeline or a list (`| tee log`, `cd x && ...`, `; fi`)
  // it would run without the rest, which a shell would have run with it.
  if (!markdown) {
    const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
    const line = text.slice(lineStart, logicalLineEnd(text, span.start));
    if (shellCommands(verbatim(line, lineStart), new Map()).filter((c) => c.length > 0).length > 1)
      return 'it is part of a pipeline or a list of commands on its line; run the line in a terminal yourself';
  }
  const vars: [string, string][] = [];
  let k = 0;
  // `exec vllm serve ...` (a container's entrypoint script) runs the same program.
  if (words[0]?.text === 'exec') k = 1;
  // `A=1 vllm serve ...` and `env A=1 vllm serve ...`: the variables go to the environment.
  for (let sawEnv = false; k < words.length; k++) {
    const w = words[k]!;
    if (!sawEnv && vars.length === 0 && w.text === 'env') {
      sawEnv = true;
      continue;
    }
    if (sawEnv && w.text.startsWith('-'))
      return `"env ${w.text.slice(0, 20)}" changes the environment in a way Run… does not copy; run the line in a terminal yourself`;
    const m = ASSIGNMENT.exec(w.text);
    if (!m || w.written.startsWith('"') || w.written.startsWith("'")) break;
    vars.push([m[1]!, m[2]!]);
  }
  const argv = words.slice(k).map((w) => w.text);
  if (argv[0] !== undefined && (RESERVED.test(argv[0]) || argv[0].startsWith('-')))
    return `it starts with "${argv[0].slice(0, 20)}", which is shell grammar or an option, not a program; run the line in a terminal yourself`;
  const engine = recognizeEngine(argv) ?? containerEngine(argv, unit);
  if (argv.length === 0 || !engine) return 'no engine command was found on this line';
  return { kind: 'command', span, ...engine, env: vars, argv };
}

/**
 * `docker run ... vllm/vllm-openai --model M`: the engine is the image's entrypoint, so the command
 * line itself does not name it; the linter's reading does. Its port is the host side of the first
 * `-p HOST:CONTAINER` (docker run reference, --publish), else the engine's default.
 */
function containerEngine(argv: readonly string[], unit: ServingUnit): RecognizedEngine | undefined {
  if (!/(^|\/)(docker|podman|nvidia-docker)$/.test(argv[0] ?? '') || argv[1] !== 'run' || !unit.engine)
    return undefined;
  const engine = unit.engine.engine;
  let port = recognizeEngine(engineWords(engine))!.port;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a === '-p' || a === '--publish' ? argv[i + 1] : a.startsWith('--publish=') ? a.slice(10) : undefined;
    const m = value === undefined ? null : /^(?:[\d.]+:)?(\d+):\d+(?:\/tcp)?$/.exec(value);
    if (m) {
      port = Number(m[1]);
      break;
    }
  }
  return { engine, ...(unit.engine.model ? { model: unit.engine.model.value } : {}), port };
}

/** Every serving command of a file, in document order: runnable ones with their argv, the rest with a reason. */
export function runnableCommands(path: string, text: string): Runnable[] {
  const markdown = /\.(md|markdown)$/i.test(path);
  let units: ServingUnit[];
  try {
    units = readServingUnits(path, text).units;
  } catch {
    return [];
  }
  const out: Runnable[] = [];
  for (const unit of units) {
    const engine = unit.engine;
    if (!engine) continue;
    if (unit.source === 'compose') {
      const port = recognizeEngine(engineWords(engine.engine))?.port ?? 0;
      out.push({
        kind: 'compose',
        span: unit.name.span,
        engine: engine.engine,
        ...(engine.model ? { model: engine.model.value } : {}),
        port,
        service: unit.name.value,
        unit,
      });
      continue;
    }
    if (unit.source !== 'script') continue;
    const found = commandAt(text, engine.span, markdown, unit);
    if (typeof found === 'string') out.push({ kind: 'refused', span: engine.span, reason: found, unit });
    else out.push({ ...found, unit });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** The smallest command line recognizeEngine knows for an engine (its default port). */
function engineWords(engine: ServiceEngine): string[] {
  if (engine === 'vllm') return ['vllm', 'serve'];
  if (engine === 'sglang') return ['python', '-m', 'sglang.launch_server'];
  return ['text-generation-launcher'];
}

/** The runnable whose span holds `offset` (the cursor), or the first one on the same line. */
export function runnableAt(runnables: readonly Runnable[], text: string, offset: number): Runnable | undefined {
  const inside = runnables.find((r) => r.span.start <= offset && offset <= r.span.end);
  if (inside) return inside;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset);
  return runnables.find((r) => r.span.start >= lineStart && r.span.start <= lineEnd);
}

/**
 * A word for a POSIX shell, in single quotes (`'` written as `'\''`): the one way to hand an argv
 * through ssh, whose remote side always runs the command through the login shell.
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `exec env 'A=1' 'vllm' 'serve' ...`: the remote command line for an argv and its variables. */
export function remoteCommandLine(env: readonly [string, string][], argv: readonly string[]): string {
  const vars = env.map(([name, value]) => shellQuote(`${name}=${value}`));
  return ['exec', ...(vars.length > 0 ? ['env', ...vars] : []), ...argv.map(shellQuote)].join(' ');
}

/** What Run… shows before starting: GPUs the command takes, and the memory each must have free. */
export interface RunEstimate {
  gpus: number;
  /** vLLM takes gpu-memory-utilization x the GPU's memory on each GPU at start (SGLang: mem-fraction-static). */
  perGpuGiB?: number;
  summary: string;
}

export function runEstimate(unit: ServingUnit, options: LintOptions): RunEstimate {
  const gpus = parallelism(unit);
  const sized = sizeUnit(unit, options);
  if (!sized.ok) return { gpus, summary: `${gpus} GPU${gpus === 1 ? '' : 's'}; no memory estimate: ${sized.reason}` };
  const e = sized.estimate;
  const perGpuGiB = e.usableBytes / GIB;
  const fits = e.fits ? 'fits' : `does not fit: ${e.problems.join(' ')}`;
  return {
    gpus,
    perGpuGiB,
    summary:
      `${gpus} × ${perGpuGiB.toFixed(1)} GiB of ${sized.gpu.name}${sized.gpuFromDefault ? ' (the default GPU)' : ''}` +
      ` (${sized.settings.gpuMemoryUtilization} of its memory), KV cache ${(e.kvCacheBytes / GIB).toFixed(1)} GiB per GPU; ${fits}`,
  };
}
