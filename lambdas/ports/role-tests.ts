import type { RoleTestReport, RoleTestRequest } from '../../schemas/api/role-test';
import type { RoleArn } from '../domain/role-arn';
import type { OrganizationInfo } from './customer-roles';

export interface RoleTestInput {
  readonly tenantId: string;
  /** The tenant's current External ID, read from our store: never from the client. */
  readonly externalId: string;
  readonly request: RoleTestRequest;
}

/** What a passed test proved, for the caller that goes on to store an integration. */
export interface RoleTestOutcome {
  readonly report: RoleTestReport;
  readonly role: RoleArn;
  readonly readOnlyRole: RoleArn | null;
  readonly organization: OrganizationInfo | null;
}

/** The role test, as the integrations capability runs it before it stores a role. */
export interface RoleTests {
  test(input: RoleTestInput): Promise<RoleTestOutcome>;
}
