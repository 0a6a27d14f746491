// The zero-downtime load (http-load.ts) run on a lab host itself over SSH, against a port there, around an operation.
import assert from 'node:assert/strict';
import { sshExec, type LabHostName } from '../lab/lab.js';
import { describeLoad, LOAD, type LoadResult } from './http-load.js';

/** The load on one lab host as one user, against `port` there; its files are /tmp/<tag>-load.* so tests do not collide. */
export class HostLoad {
  private readonly js: string;
  private readonly stop: string;
  private readonly started: string;

  constructor(private readonly host: LabHostName, private readonly user: string, private readonly port: number, tag: string) {
    this.js = `/tmp/${tag}-load.js`;
    this.stop = `/tmp/${tag}-load.stop`;
    this.started = `/tmp/${tag}-load.started`;
  }

  private async sh(cmd: string): Promise<string> {
    return (await sshExec(this.host, this.user, cmd)).stdout.trim();
  }

  async install(): Promise<void> {
    await this.sh(`echo ${Buffer.from(LOAD).toString('base64')} | base64 -d > ${this.js}`);
  }

  /** Runs `during` under the load (from its first answer until a second after `during` ends) and returns what the load saw. */
  async around<T>(during: () => Promise<T>): Promise<{ result: T; load: LoadResult }> {
    await this.sh(`rm -f ${this.stop} ${this.started}`);
    const running = sshExec(this.host, this.user, `node ${this.js} ${this.port} ${this.stop} ${this.started} 280 30000`, 320_000);
    let started = false;
    for (let i = 0; i < 100 && !started; i++) {
      started = (await this.sh(`test -f ${this.started} && echo yes`)) === 'yes';
      if (!started) await new Promise((res) => setTimeout(res, 100));
    }
    if (!started) await this.sh(`touch ${this.stop}`);
    assert.ok(started, 'the load got its first answer');
    await new Promise((res) => setTimeout(res, 1000));
    let result: T;
    try { result = await during(); } finally {
      // A second of load after the operation: requests right after the switch and the drain count too.
      await new Promise((res) => setTimeout(res, 1000));
      await this.sh(`touch ${this.stop}`);
    }
    const out = await running;
    assert.equal(out.code, 0, out.stderr);
    const load = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
    process.stdout.write(`load: ${describeLoad(load)}\n`);
    return { result, load };
  }

  /** Stops a load still running (a test that failed midway) and removes its files. */
  async cleanup(): Promise<void> {
    await this.sh(`touch ${this.stop}; sleep 0.2; rm -f ${this.js} ${this.stop} ${this.started}`).catch(() => undefined);
  }
}

/** The invariant of a zero-downtime operation: a real load ran and every request got a 2xx. */
export function assertNoFailure(load: LoadResult, minSent = 300): void {
  assert.ok(load.sent >= minSent, `a real load was running (${load.sent} requests)`);
  assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
}
