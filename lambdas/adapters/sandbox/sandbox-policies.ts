import { NotFoundError } from '../../core/errors';

/** Where a policy's target sits in the organization. */
export interface PolicyTree {
  readonly rootId: string;
  readonly managementAccountId: string;
  /** The container directly above an account or OU; null when it is not in the organization. */
  parentOf(childId: string): string | null;
  account(accountId: string): object | undefined;
}

/** The sandbox's SCPs, by the root, OU or account they are attached to: the actions each denies. */
export class SandboxPolicies {
  private readonly byTarget = new Map<string, string[]>();

  constructor(private readonly tree: PolicyTree) {}

  /**
   * PUT /local/sandbox/policies/{targetId}: an SCP that denies these actions to every account at
   * or below the root, OU or account it is attached to. Attaching it again replaces it.
   */
  attach(targetId: string, denyActions: readonly string[]): void {
    if (targetId !== this.tree.rootId && this.tree.parentOf(targetId) === null) {
      throw new NotFoundError(`Root, OU or account ${targetId}`);
    }
    this.byTarget.set(targetId, [...denyActions]);
  }

  /** DELETE /local/sandbox/policies/{targetId}: detaches the SCP; whether there was one. */
  detach(targetId: string): boolean {
    return this.byTarget.delete(targetId);
  }

  /** Whether an SCP denies the action to the account. As in AWS, none restricts the management account. */
  denies(accountId: string, action: string): boolean {
    if (accountId === this.tree.managementAccountId || !this.tree.account(accountId)) return false;
    for (let id: string | null = accountId; id !== null; id = this.tree.parentOf(id)) {
      if (this.byTarget.get(id)?.includes(action)) return true;
    }
    return false;
  }

  list(): { targetId: string; denyActions: string[] }[] {
    return [...this.byTarget].map(([targetId, denyActions]) => ({ targetId, denyActions }));
  }
}
