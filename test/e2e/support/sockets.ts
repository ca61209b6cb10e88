import { readFile, readdir, readlink } from 'node:fs/promises';

/** A socket a process listens on (TCP) or is bound to (UDP), from /proc. */
export interface ListeningSocket {
  readonly protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  readonly address: string;
  readonly port: number;
}

/**
 * Every TCP socket in LISTEN state and every bound UDP socket owned by `pid` (Linux: the
 * process's socket inodes matched against /proc/net/{tcp,tcp6,udp,udp6}), what `ss -ltnup -p`
 * shows for it.
 */
export async function listeningSockets(pid: number): Promise<ListeningSocket[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  const out: ListeningSocket[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const table = await readFile(`/proc/net/${protocol}`, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, , state, , , , , , inode] = cols.slice(1);
      if (!local || !inode || !inodes.has(inode)) continue;
      // 0A = LISTEN for TCP; a UDP socket counts when bound to a port (state 07 = unconnected).
      if (protocol.startsWith('tcp') ? state !== '0A' : state !== '07') continue;
      const [hex, portHex] = local.split(':');
      out.push({ protocol, address: decodeAddress(hex ?? ''), port: Number.parseInt(portHex ?? '0', 16) });
    }
  }
  return out;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  }
  // IPv6: four little-endian 32-bit words.
  const words = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)?.reverse().join('') ?? '');
  return words.join('').match(/..../g)?.join(':').toLowerCase() ?? hex;
}
