import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full, per local port,
 * from the `drops` column of /proc/net/udp and /proc/net/udp6 (this network namespace; Linux
 * only). Loss on loopback is nothing else: comparing the SFU's sockets with the receivers'
 * tells whether a receiver or the SFU fell behind.
 */
export function udpDropsByPort(): Map<number, number> {
  const drops = new Map<number, number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const port = Number.parseInt(cols[1]!.split(':')[1]!, 16);
      drops.set(port, (drops.get(port) ?? 0) + Number(cols[cols.length - 1]));
    }
  }
  return drops;
}

/** Drops between two readings, summed over the ports `inGroup` accepts and over the rest. */
export function dropsBetween(before: Map<number, number>, after: Map<number, number>, inGroup: (port: number) => boolean): { group: number; rest: number } {
  let group = 0;
  let rest = 0;
  for (const [port, n] of after) {
    const delta = Math.max(0, n - (before.get(port) ?? 0));
    if (inGroup(port)) group += delta;
    else rest += delta;
  }
  return { group, rest };
}
