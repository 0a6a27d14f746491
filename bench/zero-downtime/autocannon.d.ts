// The part of autocannon 9 the zero-downtime load runner uses, including the per-connection client it paces and accounts for.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** One connection of a run (lib/httpClient.js). The underscored members are internals the runner wraps. */
  export interface AutocannonClient extends EventEmitter {
    /** Requests per second this connection may send: autocannon's share of overallRate. */
    rate: number | undefined;
    destroyed: boolean;
    pipelinedRequests: { size(): number; clear(): void; peek(): { bytes: number } | undefined };
    _connect(): void;
    _doRequest(): void;
  }

  export interface AutocannonRequest {
    method?: string;
    path?: string;
    onResponse?: (status: number, body: string, context: unknown, headers: Record<string, string>) => void;
  }

  export interface AutocannonOptions {
    url: string;
    connections?: number;
    overallRate?: number;
    duration?: number;
    timeout?: number;
    pipelining?: number;
    requests?: AutocannonRequest[];
    setupClient?: (client: AutocannonClient) => void;
  }

  export interface AutocannonInstance extends EventEmitter {
    stop(): void;
  }

  export interface AutocannonResult {
    requests: { sent: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  function autocannon(opts: AutocannonOptions, cb: (err: Error | null, result: AutocannonResult) => void): AutocannonInstance;
  export default autocannon;
}
