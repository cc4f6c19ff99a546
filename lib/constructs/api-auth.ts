import { Duration, Stack } from 'aws-cdk-lib';
import { TokenAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TENANT_OWNER_ROLE } from '../../lambdas/core/tenant-context';
import { handlerEntry } from '../../lambdas/routes';
import type { AuthConfig } from '../config';
import { ServiceFunction } from './service-function';

export interface ApiAuthProps {
  readonly auth: AuthConfig;
  readonly logRetention: RetentionDays;
  readonly alarmTopic: ITopic;
  /** Concurrency kept for the authorizer, which every request passes. */
  readonly reservedConcurrency: number;
}

/**
 * Who may call the API. Either a Cognito user pool created here, or an external OpenID issuer;
 * in both cases one Lambda TOKEN authorizer verifies the JWT and hands the API the tenant from
 * configurable claims, so every function reads the same verified context.
 */
export class ApiAuth extends Construct {
  readonly authorizer: TokenAuthorizer;
  readonly authorizerFunction: ServiceFunction;
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props: ApiAuthProps) {
    super(scope, id);
    const { auth } = props;
    let issuer: string;
    let jwksUri: string;
    let audience: string;
    if (auth.mode === 'cognito') {
      this.userPool = new UserPool(this, 'UserPool', {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: {
          minLength: 12,
          requireDigits: true,
          requireLowercase: true,
          requireUppercase: true,
          requireSymbols: true,
        },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        featurePlan: FeaturePlan.PLUS,
        customAttributes: {
          // Set by administrators only: the app client below cannot write them.
          tenant_id: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
          org_ids: new StringAttribute({ maxLen: 2048, mutable: true }),
        },
      });
      // Roles are the user's groups; tenant owners are the one role the API knows.
      new UserPoolGroup(this, 'TenantOwners', {
        userPool: this.userPool,
        groupName: TENANT_OWNER_ROLE,
        description: "Manage the tenant's integrations and rotate its External ID",
      });
      this.userPoolClient = this.userPool.addClient('WebClient', {
        // Browsers sign in with SRP. The admin flow is for operators on the command line: it
        // needs AWS credentials allowed cognito-idp:AdminInitiateAuth, which no browser has.
        authFlows: { userSrp: true, adminUserPassword: true },
        generateSecret: false,
        preventUserExistenceErrors: true,
        idTokenValidity: Duration.hours(1),
        accessTokenValidity: Duration.hours(1),
        writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
      });
      issuer = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`;
      jwksUri = `${issuer}/.well-known/jwks.json`;
      // Cognito ID tokens carry the custom attributes and name the client in `aud`.
      audience = this.userPoolClient.userPoolClientId;
    } else {
      issuer = auth.issuer;
      jwksUri = auth.jwksUri ?? `${auth.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
      audience = auth.audience;
    }

    this.authorizerFunction = new ServiceFunction(this, 'Authorizer', {
      entry: handlerEntry('authorizer'),
      description: 'Verifies bearer JWTs and passes the tenant to the API',
      timeout: Duration.seconds(10),
      errorsAreExpected:
        "API Gateway's contract: every refused token is an error named Unauthorized (a 401). An authorizer that fails otherwise answers 500, which the API's 5xx alarm counts.",
      reservedConcurrency: props.reservedConcurrency,
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      environment: {
        AUTH_ISSUER: issuer,
        AUTH_JWKS_URI: jwksUri,
        AUTH_AUDIENCE: audience,
        CLAIM_TENANT: auth.claims.tenant,
        CLAIM_ORG_IDS: auth.claims.orgIds,
        CLAIM_ROLES: auth.claims.roles,
      },
    });

    this.authorizer = new TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: this.authorizerFunction.function,
      identitySource: 'method.request.header.Authorization',
      // API Gateway refuses other shapes with a 401 before invoking the function.
      validationRegex: '^Bearer [-0-9A-Za-z._~+/]+=*$',
      resultsCacheTtl: Duration.minutes(5),
    });
  }
}
