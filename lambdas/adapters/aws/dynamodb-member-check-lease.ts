import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CheckTarget, MemberCheckLease } from '../../ports/member-health';
import { and, exists } from './table/expressions';
import { integrationItem } from './table/items';
import { updateIf } from './table/transaction';

/** The member-check lease as two attributes of the integration item. */
export class DynamoDbMemberCheckLease implements MemberCheckLease {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(
    { tenantId, integrationId, checkId }: CheckTarget,
    until: number,
    now: number,
  ): Promise<boolean> {
    const taken = await updateIf(
      this.db,
      this.tableName,
      integrationItem.key(tenantId, integrationId),
      { set: { memberCheckId: checkId, memberCheckUntil: until } },
      and(exists, integrationItem.notDeleting, integrationItem.memberCheckFree(checkId, now)),
    );
    return taken !== null;
  }

  async release({ tenantId, integrationId, checkId }: CheckTarget): Promise<void> {
    await updateIf(
      this.db,
      this.tableName,
      integrationItem.key(tenantId, integrationId),
      { remove: ['memberCheckId', 'memberCheckUntil'] },
      and(exists, integrationItem.memberCheckHeldBy(checkId)),
    );
  }
}
