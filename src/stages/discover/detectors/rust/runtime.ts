// Rust toolchain versions: rust-toolchain.toml / legacy rust-toolchain channel, Cargo.toml rust-version (inherited from the workspace too) and .tool-versions; a nightly pin is a risk.
import { parse as parseToml } from 'smol-toml';
import { cite } from '../../evidence.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { citeLine, field, rustApp, upward } from './common.js';

const NAME = 'rust-runtime';

const VERSION = /^(\d+\.\d+(?:\.\d+)?)$/;

/** The `channel` line of a toolchain file: TOML `[toolchain] channel = "…"`, or the legacy one-line form. */
function channelOf(text: string): { value: string; index: number } | null {
  const t = text.replace(/^\uFEFF/, '');
  if (!/^\s*\[/m.test(t) && !/=/.test(t)) {
    const m = /^\s*(\S+)/.exec(t);
    return m?.[1] ? { value: m[1], index: m.index + m[0].length - m[1].length } : null;
  }
  const doc: unknown = parseToml(t);
  const channel = field(doc, 'toolchain', 'channel');
  if (typeof channel !== 'string') return null;
  const m = /^\s*channel\s*=/m.exec(t);
  return { value: channel, index: m ? m.index + m[0].length - m[0].trimStart().length : 0 };
}

export const rustRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const sig = (range: string, evidence: Evidence): Signal => ({ kind: 'runtime', runtime: 'rust', range, evidence: [evidence], source: 'build-file', confidence: 'high', detector: NAME });
    // rustup reads the nearest toolchain file upwards from the build directory; the .toml one wins in a directory.
    const files = [...upward(ctx, app, 'rust-toolchain.toml'), ...upward(ctx, app, 'rust-toolchain')];
    for (const file of files) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      let ch: { value: string; index: number } | null;
      try { ch = channelOf(text); } catch (e) {
        out.push({ kind: 'problem', message: `${file} is not valid TOML: ${((e as Error).message ?? '').split('\n')[0] ?? ''}`, evidence: [{ file, line: (e as { line?: number }).line ?? null }], source: 'build-file', confidence: 'high', detector: NAME });
        continue;
      }
      if (!ch) continue;
      const ev = cite(file, text, ch.index);
      const v = VERSION.exec(ch.value)?.[1];
      if (v) out.push(sig(v, ev));
      else if (/^nightly\b/.test(ch.value)) {
        out.push({ kind: 'risk', severity: 'warning', message: `a nightly Rust toolchain is pinned (${ch.value}): the build host needs it installed through rustup`, evidence: [ev], source: 'build-file', confidence: 'high', detector: NAME });
      }
      break;
    }
    // rust-version is the minimum the crate supports: any newer toolchain builds it.
    const m = app.manifest;
    const own = field(m.doc, 'package', 'rust-version');
    const ws = app.workspace;
    if (typeof own === 'string' && VERSION.test(own)) out.push(sig(`>=${own}`, citeLine(m, m.lineOf('package', 'rust-version'))));
    else if (field(own, 'workspace') === true) {
      const inherited = field(ws?.doc, 'workspace', 'package', 'rust-version');
      if (ws && typeof inherited === 'string' && VERSION.test(inherited)) {
        out.push(sig(`>=${inherited}`, citeLine(ws, ws.lineOf('workspace.package', 'rust-version'))));
      }
    }
    for (const file of upward(ctx, app, '.tool-versions')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const x of text.matchAll(/^[ \t]*rust[ \t]+(\d+\.\d+(?:\.\d+)?)\b/gm)) if (x[1]) out.push(sig(x[1], cite(file, text, x.index)));
    }
    return out;
  },
};
