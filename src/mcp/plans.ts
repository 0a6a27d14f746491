// Plans made by `deployment_plan` in this server process, waiting for `deployment_apply`: the gate between looking and changing.
import type { PreparedDeploy } from '../index.js';

/** A plan older than this is refused: the target and the operator's intent may both have moved on. */
export const PLAN_TTL_MS = 30 * 60_000;

export interface PendingPlan {
  id: string;
  prepared: PreparedDeploy;
  /** Canonical form of the tool inputs the plan was made from; apply must present the same. */
  inputs: Record<string, unknown>;
  createdAt: number;
}

export class PlanStore {
  private readonly pending = new Map<string, PendingPlan>();
  /** Ids already applied or expired, so a second use gets a precise refusal instead of "unknown id". */
  private readonly spent = new Map<string, 'used' | 'expired'>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a plan. The same id again is the same plan against the same state (the id hashes both): the newer one replaces it. */
  async add(id: string, prepared: PreparedDeploy, inputs: Record<string, unknown>): Promise<PendingPlan> {
    await this.expire();
    const old = this.pending.get(id);
    if (old && old.prepared !== prepared) await old.prepared.cleanup().catch(() => undefined);
    const entry: PendingPlan = { id, prepared, inputs, createdAt: this.now() };
    this.pending.set(id, entry);
    this.spent.delete(id);
    return entry;
  }

  /** Takes a plan out for applying: a plan is applied at most once. Returns why not when it cannot be had. */
  async take(id: string): Promise<PendingPlan | { refused: string }> {
    await this.expire();
    const entry = this.pending.get(id);
    if (entry) {
      this.pending.delete(id);
      this.spent.set(id, 'used');
      return entry;
    }
    const spent = this.spent.get(id);
    if (spent === 'used') return { refused: `plan ${id} was already used (applied, or refused because the target had changed): call deployment_plan again for a new plan` };
    if (spent === 'expired') return { refused: `plan ${id} expired (plans are kept ${PLAN_TTL_MS / 60_000} minutes): call deployment_plan again` };
    return { refused: `no plan with id ${id} in this session: call deployment_plan first` };
  }

  /** Puts back a plan that was taken but refused before anything ran (inputs differ), so the caller can retry correctly. */
  restore(entry: PendingPlan): void {
    this.pending.set(entry.id, entry);
    this.spent.delete(entry.id);
  }

  private async expire(): Promise<void> {
    const limit = this.now() - PLAN_TTL_MS;
    for (const [id, entry] of this.pending) {
      if (entry.createdAt > limit) continue;
      this.pending.delete(id);
      this.spent.set(id, 'expired');
      await entry.prepared.cleanup().catch(() => undefined);
    }
  }

  async clear(): Promise<void> {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const e of all) await e.prepared.cleanup().catch(() => undefined);
  }
}
