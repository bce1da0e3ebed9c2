import { isStoreError } from '../storage/store.js';
import { agentCommand } from './agent.js';
import { UsageError, runCommand } from './command.js';
import type { Command } from './command.js';
import { serverCommand } from './server.js';
import { storeCommand } from './store.js';
import { VERSION } from './version.js';

const commands: Command[] = [serverCommand, agentCommand, storeCommand];

function usage(): string {
  return [
    'k8ts: a light, Kubernetes-compatible container orchestrator.',
    '',
    'Usage: k8ts COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    `  ${'version'.padEnd(10)} Print the k8ts version.`,
    '',
    "Run 'k8ts COMMAND --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 1;
  }
  if (name === 'version' || name === '--version') {
    process.stdout.write(`k8ts ${VERSION}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`k8ts: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await runCommand(cmd, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`k8ts ${name}: ${err.message}\n`);
      return 2;
    }
    if (isStoreError(err)) {
      process.stderr.write(`k8ts ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
