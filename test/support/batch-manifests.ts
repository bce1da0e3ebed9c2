/** Manifests for Job and CronJob tests: a pod template the stand-in nodes run for a while, then exit. */

/**
 * A `template:` block (indented by `indent` spaces) whose single container `main` runs for
 * `seconds` and exits with `exitCode` (the stand-in nodes' annotations).
 */
export function podTemplateYaml(indent: number, opts: { seconds?: number; exitCode?: number } = {}): string {
  const pad = ' '.repeat(indent);
  return `template:
  metadata:
    annotations:
      k8ts.io/simulated-run-seconds: "${opts.seconds ?? 1}"
      k8ts.io/simulated-exit-code: "${opts.exitCode ?? 0}"
  spec:
    restartPolicy: Never
    containers:
    - name: main
      image: busybox
`
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** Newline-separated lines indented by `indent` spaces, blank ones dropped. */
export function indented(lines: string, indent: number): string {
  return lines
    .split('\n')
    .filter(Boolean)
    .map((l) => ' '.repeat(indent) + l)
    .join('\n');
}
