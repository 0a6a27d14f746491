// Where the app answers HTTP from this machine: the given URL, or a tunnel to 127.0.0.1:<port> on the target.
import type { Via } from './http-client.js';
import { resolveVia } from './resolve.js';
import type { LayerInput } from './types.js';

export interface AppEndpoint {
  /** The base URL as the app sees it (shown in findings), e.g. http://127.0.0.1:3000. */
  base: string;
  /** Set when the bytes go through a tunnel. */
  via: Via | null;
  close(): Promise<void>;
}

export type EndpointOutcome = { endpoint: AppEndpoint } | { none: string } | { error: string };

/** `none`: nothing to reach (no URL, no port); `error`: the tunnel could not be opened. The caller closes the endpoint. */
export async function openAppEndpoint(input: LayerInput): Promise<EndpointOutcome> {
  const { target, ctx } = input;
  if (target.url) return { endpoint: { base: target.url, via: resolveVia(target.url, input.options.resolve), close: async () => {} } };
  if (target.port === null) return { none: 'no URL given and no port known for the app' };
  const base = `http://127.0.0.1:${target.port}`;
  try {
    const t = await ctx.executor.forward('127.0.0.1', target.port);
    return { endpoint: { base, via: { origin: new URL(base).origin, host: t.host, port: t.port }, close: () => t.close().catch(() => undefined) } };
  } catch (e) {
    return { error: ctx.redactor.mask(`could not open a path to 127.0.0.1:${target.port} on ${ctx.executor.host.display}: ${e instanceof Error ? e.message : String(e)}`) };
  }
}
