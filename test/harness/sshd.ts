/**
 * A real OpenSSH server (Debian's openssh-server) on 127.0.0.1 with a throwaway host key and
 * client key; its sessions see the fake nvidia-smi first on PATH. Also a "hanging host" that
 * accepts TCP connections and never speaks, and a closed port for a dead host.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureAptPackages, freePort, startServer, waitForPort, type Started } from './processes.ts';

export const FAKE_BIN = resolve(import.meta.dirname, '..', 'fixtures', 'fake-bin');

export interface SshLab {
  /** ssh_config for the client: aliases below point at the servers here. */
  configFile: string;
  /** Aliases that reach the real sshd (default fixture set). */
  aliveHosts: string[];
  /** An alias whose sessions answer from the MIG fixture set. */
  migHost: string;
  deadHost: string;
  hangingHost: string;
  /** Aliases "hanging-1".."hanging-N" (hangingCount), all on the silent server. */
  hangingHosts: string[];
  sshd: Started;
  stop(): Promise<void>;
}

export async function startSshLab(
  options: {
    aliveCount?: number;
    hangingCount?: number;
    /** More aliases on the real sshd, each answering nvidia-smi from its own fixture folder. */
    setHosts?: Record<string, string>;
  } = {},
): Promise<SshLab> {
  await ensureAptPackages({ 'openssh-server': '/usr/sbin/sshd', 'openssh-client': '/usr/bin/ssh' });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-sshd-'));
  chmodSync(dir, 0o700);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  execFileSync('cp', [join(dir, 'client_key.pub'), join(dir, 'authorized_keys')]);
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation directory
  mkdirSync(join(dir, 'home'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AcceptEnv FAKE_NVIDIA_SMI_SET',
      // An empty HOME keeps the login user's shell start-up files (root's .bashrc) out of every
      // session, as on a lean GPU host; PATH puts the fake nvidia-smi first.
      `SetEnv PATH=${FAKE_BIN}:/usr/local/bin:/usr/bin:/bin HOME=${join(dir, 'home')}`,
      'MaxStartups 200:30:400',
      'MaxSessions 200',
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  const sshd = startServer('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')]);
  await waitForPort(port, sshd.child, 15_000, () => sshd.logs());

  // A host that accepts and then says nothing, like a wedged machine behind a load balancer.
  const silent: Socket[] = [];
  const hanging: Server = createServer((socket) => silent.push(socket));
  const hangingPort = await new Promise<number>((r) =>
    hanging.listen(0, '127.0.0.1', () => r((hanging.address() as { port: number }).port)),
  );
  const deadPort = await freePort();

  const common = [
    '  User root',
    `  IdentityFile ${join(dir, 'client_key')}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
  ];
  const aliveCount = options.aliveCount ?? 2;
  const aliases = Array.from({ length: aliveCount }, (_, i) => `alive-${i + 1}`);
  const hangingAliases = Array.from({ length: options.hangingCount ?? 0 }, (_, i) => `hanging-${i + 1}`);
  const migSet = resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'sets', 'mig-a100');
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      `Host ${aliases.join(' ')}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      ...common,
      'Host mig-box',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  SetEnv FAKE_NVIDIA_SMI_SET=${migSet}`,
      ...common,
      ...Object.entries(options.setHosts ?? {}).flatMap(([alias, set]) => [
        `Host ${alias}`,
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  SetEnv FAKE_NVIDIA_SMI_SET=${set}`,
        ...common,
      ]),
      'Host dead-box',
      '  HostName 127.0.0.1',
      `  Port ${deadPort}`,
      ...common,
      `Host hanging-box ${hangingAliases.join(' ')}`,
      '  HostName 127.0.0.1',
      `  Port ${hangingPort}`,
      ...common,
    ].join('\n') + '\n',
  );
  return {
    configFile: join(dir, 'ssh_config'),
    aliveHosts: aliases,
    migHost: 'mig-box',
    deadHost: 'dead-box',
    hangingHost: 'hanging-box',
    hangingHosts: hangingAliases,
    sshd,
    async stop() {
      for (const socket of silent) socket.destroy();
      await new Promise<void>((r) => hanging.close(() => r()));
      await sshd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
