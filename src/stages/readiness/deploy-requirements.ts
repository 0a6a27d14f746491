// What a host must offer before a deploy: the runtime discovery found, the strategy's tools, and the port (unless our own release holds it).
import type { BriefData } from '../../report/brief.js';
import { READINESS_STRATEGIES, type CheckOptions } from './requirements.js';

const RUNTIME_TOOL: Record<string, string> = { node: 'node', python: 'python3', java: 'java', ruby: 'ruby', php: 'php', bun: 'bun', deno: 'deno' };

export interface DeployCheckInput {
  brief: BriefData | null;
  /** The strategy the deploy uses, when known (else the brief's, when a host probe can judge it). */
  strategy: string | undefined;
  build: 'target' | 'local' | undefined;
  port: number | null | undefined;
  /** The app already has a current release on the host: the port is held by it, as expected. */
  hasCurrent: boolean;
  app: string;
  baseDir?: string | null;
}

/** The readiness check's options for a deploy of `app` (used by `deckhand up` and by a fleet deploy for every host). */
export function deployCheckOptions(i: DeployCheckInput): CheckOptions {
  const rt = i.brief?.stack.runtime?.value;
  const tool = rt ? RUNTIME_TOOL[rt.runtime] : undefined;
  const strategy = i.strategy ?? i.brief?.strategy ?? undefined;
  // A Go binary built here needs no Go on the host; container strategies bring their runtime in the image.
  const needsRuntime = tool && !(i.build === 'local' && rt?.runtime === 'go') && strategy !== 'docker' && strategy !== 'compose';
  return {
    // Only a strategy a host probe can judge (a kubernetes brief gets the host's general checks).
    ...(strategy && (READINESS_STRATEGIES as readonly string[]).includes(strategy) ? { strategy } : {}),
    ...(needsRuntime ? { require: [rt?.range ? `${tool}@${rt.range}` : tool] } : {}),
    ...(i.port && !i.hasCurrent ? { port: [i.port] } : {}),
    app: i.app, ...(i.baseDir ? { baseDir: i.baseDir } : {}),
  };
}
