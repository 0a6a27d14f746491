// Deploy doc detector: a DEPLOY.md (or DEPLOYMENT.md) in the app dir or its docs/ folder: its headings and its instructions.
import type { DetectContext, Detector, Signal } from '../../types.js';
import { deployInstructions } from '../docs/instructions.js';
import { inApp } from '../../evidence.js';
import { filesIn, maker } from './shared.js';

const NAME = 'artifacts-deploy-doc';
const make = maker(NAME, 'docs');

export const deployDocDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const isDoc = (b: string): boolean => /^deploy(ment|ing)?\.(md|markdown|rst|txt)$/i.test(b);
    const files = [...filesIn(ctx, ctx.appDir, isDoc), ...filesIn(ctx, inApp(ctx.appDir, 'docs'), isDoc)];
    const out: Signal[] = [];
    for (const f of files) {
      const text = await ctx.repo.read(f.path);
      if (text === null) continue;
      const headings = [...text.matchAll(/^#{1,3}\s+(.+?)\s*#*\s*$/gm)].map((m) => m[1] ?? '').slice(0, 20);
      const codeBlocks = (text.match(/^```/gm)?.length ?? 0) >> 1;
      out.push(make({ kind: 'artifact', type: 'deploy-doc', path: f.path, summary: { headings, codeBlocks, lines: text.split('\n').length } }, [{ file: f.path, line: 1 }]));
      // Its instructions too, read once here rather than by a second detector.
      out.push(...deployInstructions(f.path, text, text, 0, NAME));
    }
    return out;
  },
};
