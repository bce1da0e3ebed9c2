/** Where a server keeps its state: /var/lib/k8ts as root, ./.k8ts otherwise (like k3s). */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : '.k8ts';
}
