/** What a benchmarked process (the k8ts server) uses, read from /proc: memory and CPU time. */
import { readFileSync } from 'node:fs';

const tenths = (n: number) => Math.round(n * 10) / 10;

/** Resident memory now (VmRSS) and at its peak (VmHWM), in MB to one decimal. */
export function memoryMb(pid: number): { rssMb: number; peakRssMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(s)?.[1] ?? 0);
  return { rssMb: tenths(kb('VmRSS') / 1024), peakRssMb: tenths(kb('VmHWM') / 1024) };
}

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
