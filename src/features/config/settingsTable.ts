/**
 * Every setting of the extension, in one table: its key, its type, its scope and the group whose
 * change it triggers (as rust-analyzer's `Config` does). Defaults are never copied here: a value
 * that is missing or of the wrong type falls back to the manifest's default, which VS Code reports
 * through `inspect().defaultValue`. A unit test checks the table against package.json. This file
 * has no `vscode` import so that test can load it; settings.ts reads the values.
 */
import type { Severity } from '../../core/lint/types.ts';

export const SECTION = 'gpuWorkbench';

/** How a raw value is read. */
export type Kind =
  'string' | 'stringList' | 'positiveNumber' | 'nonNegativeNumber' | 'boolean' | 'record' | 'severities';
/** `machine`: read from user (or remote machine) settings only, never from a workspace file. */
export type Scope = 'machine' | 'window';
/** What a change of the setting means: a new GPU poll, a new lint, or nothing until next use. */
export type SettingGroup = 'inventory' | 'lint' | 'onUse';

export interface Spec {
  key: string;
  kind: Kind;
  scope: Scope;
  group: SettingGroup;
}

export const SETTINGS = {
  nvidiaSmiPath: { key: 'nvidiaSmiPath', kind: 'string', scope: 'machine', group: 'inventory' },
  rocmSmiPath: { key: 'rocmSmiPath', kind: 'string', scope: 'machine', group: 'inventory' },
  sshHosts: { key: 'sshHosts', kind: 'stringList', scope: 'machine', group: 'inventory' },
  sshPath: { key: 'ssh.path', kind: 'string', scope: 'machine', group: 'inventory' },
  sshConfigFile: { key: 'ssh.configFile', kind: 'string', scope: 'machine', group: 'inventory' },
  sshConnectTimeoutSeconds: {
    key: 'ssh.connectTimeoutSeconds',
    kind: 'positiveNumber',
    scope: 'window',
    group: 'inventory',
  },
  sshConcurrency: { key: 'ssh.concurrency', kind: 'positiveNumber', scope: 'window', group: 'inventory' },
  prometheusUrl: { key: 'prometheus.url', kind: 'string', scope: 'machine', group: 'inventory' },
  kubernetesEnabled: { key: 'kubernetes.enabled', kind: 'boolean', scope: 'machine', group: 'inventory' },
  kubeconfig: { key: 'kubernetes.kubeconfig', kind: 'string', scope: 'machine', group: 'inventory' },
  kubeContext: { key: 'kubernetes.context', kind: 'string', scope: 'machine', group: 'inventory' },
  kubectlPath: { key: 'kubectlPath', kind: 'string', scope: 'machine', group: 'inventory' },
  refreshIntervalSeconds: {
    key: 'refreshIntervalSeconds',
    kind: 'nonNegativeNumber',
    scope: 'window',
    group: 'inventory',
  },
  commandTimeoutSeconds: { key: 'commandTimeoutSeconds', kind: 'positiveNumber', scope: 'window', group: 'inventory' },
  solverTimeLimitSeconds: { key: 'solver.timeLimitSeconds', kind: 'positiveNumber', scope: 'window', group: 'onUse' },
  huggingFaceEndpoint: { key: 'huggingFace.endpoint', kind: 'string', scope: 'machine', group: 'onUse' },
  gpuPricesPerHour: { key: 'gpuPricesPerHour', kind: 'record', scope: 'window', group: 'onUse' },
  defaultGpu: { key: 'defaultGpu', kind: 'string', scope: 'window', group: 'lint' },
  lintEnabled: { key: 'lint.enabled', kind: 'boolean', scope: 'window', group: 'lint' },
  lintSeverity: { key: 'lint.severity', kind: 'severities', scope: 'window', group: 'lint' },
  vllmVersion: { key: 'vllmVersion', kind: 'string', scope: 'window', group: 'lint' },
  rightSizeEnabled: { key: 'rightSize.enabled', kind: 'boolean', scope: 'window', group: 'lint' },
  rightSizeWindow: { key: 'rightSize.window', kind: 'string', scope: 'window', group: 'lint' },
  servicesPricePerGpuHour: {
    key: 'services.pricePerGpuHour',
    kind: 'nonNegativeNumber',
    scope: 'window',
    group: 'onUse',
  },
  rightSizeTpotTargetMs: { key: 'rightSize.tpotTargetMs', kind: 'nonNegativeNumber', scope: 'window', group: 'lint' },
} as const satisfies Record<string, Spec>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<K extends Kind> = K extends 'string'
  ? string | undefined
  : K extends 'stringList'
    ? string[]
    : K extends 'positiveNumber' | 'nonNegativeNumber'
      ? number
      : K extends 'boolean'
        ? boolean
        : K extends 'record'
          ? Record<string, unknown>
          : Record<string, Severity | 'off'>;

export type SettingValue<N extends SettingName> = ValueOf<(typeof SETTINGS)[N]['kind']>;

const isRecord = (raw: unknown): raw is Record<string, unknown> =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw);

/** The value of `raw` as `kind`, or undefined when it is not one (so the manifest default applies). */
export function readSetting(kind: Kind, raw: unknown): unknown {
  switch (kind) {
    case 'string':
      return typeof raw === 'string' ? raw.trim() || undefined : undefined;
    case 'stringList':
      return Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : undefined;
    case 'positiveNumber':
      return typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? raw : undefined;
    case 'nonNegativeNumber':
      return typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? raw : undefined;
    case 'boolean':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'record':
      return isRecord(raw) ? raw : undefined;
    case 'severities': {
      if (!isRecord(raw)) return undefined;
      const clean: Record<string, Severity | 'off'> = {};
      for (const [rule, level] of Object.entries(raw)) {
        if (level === 'error' || level === 'warning' || level === 'info' || level === 'off') clean[rule] = level;
      }
      return clean;
    }
  }
}
