import { createHash } from 'node:crypto';
import {
  type APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
  paginateGetUsagePlans,
} from '@aws-sdk/client-api-gateway';
import { logger } from '../core/logger';

/**
 * Each tenant's requests are counted against the API's default usage plan under an API key of
 * its own, which the authorizer names (`usageIdentifierKey`); callers never send one. The key's
 * value is derived from the tenant id: it is no secret, since with the key source AUTHORIZER
 * no client can present it, and a value computed anew needs no table.
 */
export function usageKeyOf(tenantId: string): string {
  return `tenant-${createHash('sha256').update(tenantId).digest('base64url')}`;
}

/** Port: makes sure the tenant's key exists in the usage plan, and answers its value. */
export interface UsageKeys {
  keyFor(tenantId: string): Promise<string>;
}

/** Where there is no usage plan to enrol in (locally): the value alone. */
export const derivedUsageKeys: UsageKeys = { keyFor: async (tenantId) => usageKeyOf(tenantId) };

/**
 * The tenant's API key in the usage plan named `usagePlanName`, made on the tenant's first
 * request to this instance and remembered. The plan is found by name: its id would make the
 * authorizer depend on the stage it guards. Keys and plan membership are made idempotently, so
 * instances that race, or an instance that died halfway, end the same.
 */
export class ApiGatewayUsageKeys implements UsageKeys {
  private readonly enrolled = new Map<string, Promise<string>>();
  private planId: Promise<string> | undefined;

  constructor(
    private readonly client: APIGatewayClient,
    private readonly usagePlanName: string,
  ) {}

  keyFor(tenantId: string): Promise<string> {
    let key = this.enrolled.get(tenantId);
    if (!key) {
      key = this.enrol(tenantId);
      this.enrolled.set(tenantId, key);
      // A failure is not remembered: the next request tries again.
      key.catch(() => this.enrolled.delete(tenantId));
    }
    return key;
  }

  private async enrol(tenantId: string): Promise<string> {
    const value = usageKeyOf(tenantId);
    const name = `tenant-${tenantId}`;
    const { items } = await this.client.send(
      new GetApiKeysCommand({ nameQuery: name, includeValues: false }),
    );
    let keyId = items?.find((key) => key.name === name)?.id;
    if (!keyId) {
      const created = await this.client.send(
        new CreateApiKeyCommand({
          name,
          value,
          enabled: true,
          description: `Requests of tenant ${tenantId}`,
        }),
      );
      keyId = created.id;
      logger.info('usage key created', { tenantId });
    }
    if (!keyId) throw new Error('API Gateway answered without an API key id');
    try {
      await this.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: await this.usagePlan(), keyId, keyType: 'API_KEY' }),
      );
    } catch (error: unknown) {
      // Already in the plan.
      if (!(error instanceof ConflictException)) throw error;
    }
    return value;
  }

  private usagePlan(): Promise<string> {
    this.planId ??= this.findPlan().catch((error: unknown) => {
      this.planId = undefined;
      throw error;
    });
    return this.planId;
  }

  private async findPlan(): Promise<string> {
    for await (const page of paginateGetUsagePlans({ client: this.client }, {})) {
      const plan = page.items?.find((candidate) => candidate.name === this.usagePlanName);
      if (plan?.id) return plan.id;
    }
    throw new Error(`No usage plan is named ${this.usagePlanName}`);
  }
}
