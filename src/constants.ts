/** Every command, view and setting id of the extension, in one place (package.json must agree; a unit test checks). */
export const Commands = {
  openWorkbench: 'gpuWorkbench.openWorkbench',
  refreshGpus: 'gpuWorkbench.refreshGpus',
  copyInventoryJson: 'gpuWorkbench.copyInventoryJson',
  addSshHost: 'gpuWorkbench.addSshHost',
  removeSshHost: 'gpuWorkbench.removeSshHost',
  setPrometheusUrl: 'gpuWorkbench.setPrometheusUrl',
  setPrometheusToken: 'gpuWorkbench.setPrometheusToken',
  stopProcess: 'gpuWorkbench.stopProcess',
  estimateModelMemory: 'gpuWorkbench.estimateModelMemory',
  suggestDeployment: 'gpuWorkbench.suggestDeployment',
  setHuggingFaceToken: 'gpuWorkbench.setHuggingFaceToken',
  showLog: 'gpuWorkbench.showLog',
  lintWorkspace: 'gpuWorkbench.lintWorkspace',
} as const;

export const Views = {
  container: 'gpuWorkbench',
  gpus: 'gpuWorkbench.gpus',
} as const;

/** VS Code's own command that reveals a view: `<view id>.focus`. */
export const FOCUS_GPUS_VIEW = `${Views.gpus}.focus`;

export const WebviewTypes = {
  workbench: 'gpuWorkbench.workbench',
} as const;

/** Setting keys relative to the `gpuWorkbench` section. */
export const Settings = {
  section: 'gpuWorkbench',
  nvidiaSmiPath: 'nvidiaSmiPath',
  rocmSmiPath: 'rocmSmiPath',
  sshHosts: 'sshHosts',
  sshPath: 'ssh.path',
  sshConfigFile: 'ssh.configFile',
  sshConnectTimeoutSeconds: 'ssh.connectTimeoutSeconds',
  sshConcurrency: 'ssh.concurrency',
  prometheusUrl: 'prometheus.url',
  kubernetesEnabled: 'kubernetes.enabled',
  kubeconfig: 'kubernetes.kubeconfig',
  kubeContext: 'kubernetes.context',
  kubectlPath: 'kubectlPath',
  refreshIntervalSeconds: 'refreshIntervalSeconds',
  commandTimeoutSeconds: 'commandTimeoutSeconds',
  solverTimeLimitSeconds: 'solver.timeLimitSeconds',
  huggingFaceEndpoint: 'huggingFace.endpoint',
  gpuPricesPerHour: 'gpuPricesPerHour',
  defaultGpu: 'defaultGpu',
  lintEnabled: 'lint.enabled',
  lintSeverity: 'lint.severity',
} as const;

/** SecretStorage keys. */
export const Secrets = {
  prometheusToken: 'gpuWorkbench.prometheus.token',
  huggingFaceToken: 'gpuWorkbench.huggingFace.token',
} as const;

export const LOG_CHANNEL_NAME = 'GPU Workbench';
