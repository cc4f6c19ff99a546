import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as z from 'zod';
import { SandboxCustomerRoles } from '../lambdas/adapters/sandbox/sandbox-customer-roles';
import type { SandboxOrganization } from '../lambdas/adapters/sandbox/sandbox-organization';
import { AppError } from '../lambdas/core/errors';
import { parseRoleArn, type RoleArnRules } from '../lambdas/domain/role-arn';
import { RoleRefusedError } from '../lambdas/ports/customer-roles';
import type { EventBusPort } from '../lambdas/publisher/ports';

/**
 * The AWS APIs the local runtime answers besides the REST API, so that the same SDK calls work
 * against `npm start` with `endpoint` set to it: Lambda's Invoke (for the credentials broker),
 * STS's GetCallerIdentity (for credentials the sandbox issued) and AssumeRole (of the sandbox's
 * roles, so the deployed functions' STS adapter runs against it), and EventBridge's PutEvents
 * (for `npm run replay-events`).
 */
export interface AwsApiAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

/** The functions a platform service may invoke locally, by name. */
export type InvocableFunctions = Readonly<Record<string, (payload: unknown) => Promise<unknown>>>;

/**
 * `POST /2015-03-31/functions/{name}/invocations`, as Lambda answers it: the function's JSON
 * result with status 200, or Lambda's own error for an unknown function or a payload that is not
 * JSON. There is no IAM here: any caller may invoke, and a `?Qualifier=` (an alias) changes nothing.
 */
export async function lambdaInvoke(
  functions: InvocableFunctions,
  name: string,
  body: string,
): Promise<AwsApiAnswer> {
  const invoke = Object.hasOwn(functions, name) ? functions[name] : undefined;
  if (!invoke) {
    return lambdaError(404, 'ResourceNotFoundException', `Function not found: ${name}`);
  }
  let payload: unknown;
  try {
    payload = body === '' ? {} : JSON.parse(body);
  } catch {
    return lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json.');
  }
  const result = await invoke(payload);
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' },
    text: JSON.stringify(result),
  };
}

function lambdaError(status: number, type: string, message: string): AwsApiAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    text: JSON.stringify({ Type: 'User', message }),
  };
}

/**
 * `POST /local/sts` with the query protocol, as `@aws-sdk/client-sts` sends it:
 * - GetCallerIdentity for credentials the sandbox issued. It checks the access key and the
 *   session token (not the signature) and answers the assumed role's ARN with its session name;
 * - AssumeRole of a sandbox role, by the sandbox's rules, as the platform's account (`rules`):
 *   there is no IAM here to say who calls.
 */
export async function stsQuery(
  sandbox: SandboxOrganization | undefined,
  rules: RoleArnRules,
  headers: IncomingHttpHeaders,
  body: string,
): Promise<AwsApiAnswer> {
  const query = new URLSearchParams(body);
  const action = query.get('Action');
  if (action === 'AssumeRole') return assumeRole(sandbox, rules, query);
  if (action !== 'GetCallerIdentity') {
    return stsError(
      400,
      'InvalidAction',
      `The local STS answers only GetCallerIdentity and AssumeRole, not ${action}.`,
    );
  }
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(headers.authorization ?? '')?.[1];
  const session = accessKeyId === undefined ? undefined : sandbox?.deployments.session(accessKeyId);
  if (!session || headers['x-amz-security-token'] !== session.sessionToken) {
    return stsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  if (session.expiresAt.getTime() <= Date.now()) {
    return stsError(400, 'ExpiredToken', 'The security token included in the request is expired');
  }
  // An assumed role's user id is the role's unique id (AROA…) and the session name.
  const [, roleName = '', sessionName = ''] = session.arn.split('/');
  const roleId = createHash('sha256').update(`${session.accountId}:${roleName}`).digest('hex').slice(0, 17);
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    text: [
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
      '<GetCallerIdentityResult>',
      `<Arn>${session.arn}</Arn>`,
      `<UserId>AROA${roleId.toUpperCase()}:${sessionName}</UserId>`,
      `<Account>${session.accountId}</Account>`,
      '</GetCallerIdentityResult>',
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
      '</GetCallerIdentityResponse>',
    ].join(''),
  };
}

/** Query parameters of AssumeRole that this runtime reads. */
const assumeRoleSchema = z.object({
  RoleArn: z.string(),
  RoleSessionName: z.string().min(2).max(64),
  ExternalId: z.string().optional(),
  DurationSeconds: z.coerce.number().int().min(900).max(43_200).default(3600),
  SourceIdentity: z.string().optional(),
  Policy: z.string().optional(),
});

async function assumeRole(
  sandbox: SandboxOrganization | undefined,
  rules: RoleArnRules,
  query: URLSearchParams,
): Promise<AwsApiAnswer> {
  if (!sandbox) return stsError(400, 'InvalidAction', 'AssumeRole needs the sandbox (npm start --sandbox).');
  const parsed = assumeRoleSchema.safeParse(Object.fromEntries(query));
  if (!parsed.success) return stsError(400, 'ValidationError', parsed.error.issues[0]?.message ?? 'invalid');
  const request = parsed.data;
  // Tags arrive as Tags.member.1.Key, Tags.member.1.Value, …
  const tags: Record<string, string> = {};
  for (let n = 1; query.has(`Tags.member.${n}.Key`); n += 1) {
    tags[query.get(`Tags.member.${n}.Key`) ?? ''] = query.get(`Tags.member.${n}.Value`) ?? '';
  }
  try {
    const role = parseRoleArn(request.RoleArn, rules);
    const credentials = await new SandboxCustomerRoles(sandbox, rules.trustedAccountId).issueSession({
      role,
      externalId: request.ExternalId ?? '',
      sessionName: request.RoleSessionName,
      durationSeconds: request.DurationSeconds,
      sourceIdentity: request.SourceIdentity,
      tags,
      policy: request.Policy,
    });
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      text: [
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
        '<AssumeRoleResult>',
        '<Credentials>',
        `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId>`,
        `<SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>`,
        `<SessionToken>${credentials.sessionToken}</SessionToken>`,
        `<Expiration>${credentials.expiration.toISOString()}</Expiration>`,
        '</Credentials>',
        '<AssumedRoleUser>',
        `<Arn>arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.name}/${request.RoleSessionName}</Arn>`,
        `<AssumedRoleId>AROA${role.accountId}:${request.RoleSessionName}</AssumedRoleId>`,
        '</AssumedRoleUser>',
        '</AssumeRoleResult>',
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
        '</AssumeRoleResponse>',
      ].join(''),
    };
  } catch (error: unknown) {
    if (error instanceof RoleRefusedError) return stsError(403, 'AccessDenied', error.message);
    if (error instanceof AppError) return stsError(400, 'ValidationError', error.message);
    throw error;
  }
}

function stsError(status: number, code: string, message: string): AwsApiAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    text: [
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
      `<Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>`,
      `<RequestId>${randomUUID()}</RequestId>`,
      '</ErrorResponse>',
    ].join(''),
  };
}

/**
 * `POST /local/eventbridge` with `X-Amz-Target: AWSEvents.PutEvents`, as
 * `@aws-sdk/client-eventbridge` sends it: every entry goes onto the local connections bus, on
 * whatever bus it names.
 */
export async function eventBridgePutEvents(
  bus: EventBusPort,
  headers: IncomingHttpHeaders,
  body: string,
): Promise<AwsApiAnswer> {
  const json = (status: number, value: unknown, type?: string): AwsApiAnswer => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) },
    text: JSON.stringify(value),
  });
  if (headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
    return json(400, { message: 'Only PutEvents is answered here.' }, 'UnknownOperationException');
  }
  const request = putEventsSchema.safeParse(parseJson(body));
  if (!request.success)
    return json(400, { message: 'The request is not a PutEvents request.' }, 'ValidationException');
  const entries = request.data.Entries.map(({ Source, DetailType, Detail }) => ({
    source: Source,
    detailType: DetailType,
    detail: Detail,
  }));
  await bus.put(entries);
  return json(200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
}

const putEventsSchema = z.object({
  Entries: z
    .array(z.object({ Source: z.string(), DetailType: z.string(), Detail: z.string() }))
    .min(1)
    .max(10),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
