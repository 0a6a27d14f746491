// Parses the cleanup probe (commands/ops-cleanup.ts) and `df -Pk` into typed facts; unreadable parts stay null, never guessed.
import { parseSections } from '../../readiness/parse.js';

export interface DiskUse { mount: string; sizeBytes: number; usedBytes: number; availBytes: number; usePercent: number }

export interface LogFile { path: string; size: number; mtime: number; inode: number; links: number }

export interface ImageTag { repo: string; tag: string; id: string }

export interface CleanupFacts {
  disk: DiskUse | null;
  files: LogFile[];
  /** Paths under the log directories some process holds open. */
  open: Set<string>;
  /** The probe ran as root: every process's open files were seen. */
  openComplete: boolean;
  /** Release id → bytes (release directory plus its record). */
  releaseBytes: Map<string, number>;
  /** Blue-green slot (port) → release id its link points at. */
  slots: Map<string, string>;
  /** null when docker was not asked or did not answer. */
  images: ImageTag[] | null;
  imageBytes: Map<string, number>;
  /** Image id → how many tags it has in all repositories (it is freed only when the last one goes). */
  imageTagCount: Map<string, number>;
  imagesInUse: Set<string>;
}

/** The last data line of `df -Pk`: filesystem, 1K-blocks, used, available, capacity, mount point. */
export function parseDf(text: string): DiskUse | null {
  const line = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !/^Filesystem\s/.test(l)).at(-1);
  const m = line ? /^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line) : null;
  if (!m) return null;
  return { sizeBytes: Number(m[1]) * 1024, usedBytes: Number(m[2]) * 1024, availBytes: Number(m[3]) * 1024, usePercent: Number(m[4]), mount: m[5] ?? '' };
}

function parseFiles(body: string): LogFile[] {
  const out: LogFile[] = [];
  for (const line of body.split('\n')) {
    const m = /^(\d+)\|(\d+)\|(\d+)\|(\d+)\|(\/.*)$/.exec(line);
    if (m) out.push({ size: Number(m[1]), mtime: Number(m[2]), inode: Number(m[3]), links: Number(m[4]), path: m[5] ?? '' });
  }
  // A file under two listed directories (nested specs) is one file.
  return [...new Map(out.map((f) => [f.path, f])).values()].sort((a, b) => a.path.localeCompare(b.path));
}

function pairs(body: string): [string, string][] {
  return body.split('\n').map((l) => [l.slice(0, l.indexOf('|')), l.slice(l.indexOf('|') + 1)] as [string, string]).filter(([k]) => k.length > 0);
}

export function parseCleanupProbe(stdout: string): CleanupFacts {
  const s = parseSections(stdout);
  const open = s.get('open')?.body ?? '';
  const images = s.get('images');
  const releaseBytes = new Map<string, number>();
  for (const [id, n] of pairs(s.get('releases')?.body ?? '')) if (/^\d+$/.test(n)) releaseBytes.set(id, Number(n));
  const slots = new Map<string, string>();
  for (const [port, link] of pairs(s.get('slots')?.body ?? '')) slots.set(port, link.replace(/\/+$/, '').split('/').at(-1) ?? link);
  const imageBytes = new Map<string, number>();
  const imageTagCount = new Map<string, number>();
  for (const line of (s.get('image-sizes')?.body ?? '').split('\n')) {
    const m = /^(\S+)\|(\d+)\|(\d+)$/.exec(line.trim());
    if (m?.[1]) { imageBytes.set(m[1], Number(m[2])); imageTagCount.set(m[1], Number(m[3])); }
  }
  return {
    disk: parseDf(s.get('df')?.body ?? ''),
    files: parseFiles(s.get('files')?.body ?? ''),
    open: new Set(open.split('\n').filter((l) => l.startsWith('open=')).map((l) => l.slice(5))),
    openComplete: /^uid=0$/m.test(open),
    releaseBytes, slots,
    images: images && images.rc === 0
      ? images.body.split('\n').map((l) => l.split('|')).filter((p) => p.length === 3).map(([repo, tag, id]) => ({ repo: repo ?? '', tag: tag ?? '', id: id ?? '' }))
      : null,
    imageBytes, imageTagCount,
    imagesInUse: new Set((s.get('in-use')?.body ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0)),
  };
}
