import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  type CfnUserPoolClient,
  OAuthScope,
  type UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleConfig, OidcSignIn } from '../../schemas/console-config';
import { acknowledgeNag, nagText } from './nag';
import { STAGE_NAME } from './rest-api';

/** Where the console's OpenID Connect sign-in lives: Cognito's hosted UI, or the platform's own. */
export type ConsoleSignIn =
  | {
      readonly kind: 'cognito';
      readonly userPool: UserPool;
      readonly client: UserPoolClient;
      readonly domainPrefix: string;
    }
  | OidcSignIn;

export interface ConsoleHostingProps {
  /** Served under /v1/ by the same distribution, so the console calls it on its own origin. */
  readonly api: RestApi;
  readonly signIn: ConsoleSignIn;
  /** The built console (`npm run console:build`). */
  readonly assetDir: string;
}

const SCOPES = ['openid', 'email', 'profile'];

/** The console's build, made first when missing (as `npm start` does), so a plain synth works. */
export function builtConsole(): string {
  const dir = path.resolve('console', 'dist');
  if (!existsSync(path.join(dir, 'index.html'))) {
    execFileSync(
      path.resolve('node_modules', '.bin', 'vite'),
      ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
      {
        stdio: 'inherit',
      },
    );
  }
  return dir;
}

/**
 * The console: its files in a private bucket that only CloudFront reads (origin access control),
 * the API behind the same distribution, and security headers on every answer. It reads
 * `config.json`, written here at deploy, for how people sign in: the authorization code flow
 * with PKCE. The page may talk to itself and the sign-in domain only.
 */
export class ConsoleHosting extends Construct {
  readonly url: string;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    const signIn = this.signInEndpoints(props.signIn);
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            `connect-src 'self' ${signIn.origin}`,
            "img-src 'self' data:",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            `form-action 'self' ${signIn.origin}`,
          ].join('; '),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${stack.stackName} console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: securityHeaders,
      },
      additionalBehaviors: {
        '/v1/*': {
          // By the API's id and stage name, not its stage: the stage waits for the authorizer,
          // whose app client waits for this distribution's URL.
          origin: new HttpOrigin(`${props.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
            originPath: `/${STAGE_NAME}`,
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: securityHeaders,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    if (props.signIn.kind === 'cognito') this.allowSignInFrom(props.signIn.client, this.url);

    new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(props.assetDir),
        Source.jsonData('config.json', { apiUrl: '', signIn: signIn.config } satisfies ConsoleConfig),
      ],
      destinationBucket: bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
    });
    this.acknowledge(bucket);
  }

  /** The sign-in the console's config names, and its origin, which the CSP admits. */
  private signInEndpoints(signIn: ConsoleSignIn): { origin: string; config: OidcSignIn } {
    if (signIn.kind === 'oidc') return { origin: new URL(signIn.authorizeUrl).origin, config: signIn };
    const domain = signIn.userPool.addDomain('SignInDomain', {
      cognitoDomain: { domainPrefix: signIn.domainPrefix },
    });
    const origin = domain.baseUrl();
    return {
      origin,
      config: {
        kind: 'oidc',
        authorizeUrl: `${origin}/oauth2/authorize`,
        tokenUrl: `${origin}/oauth2/token`,
        logoutUrl: `${origin}/logout`,
        clientId: signIn.client.userPoolClientId,
        scopes: SCOPES,
      },
    };
  }

  /**
   * The API's app client also serves the console's hosted-UI sign-in, so the ID tokens it gets
   * carry the audience the authorizer expects. Set here, where the distribution's URL is known.
   */
  private allowSignInFrom(client: UserPoolClient, url: string): void {
    const cfn = client.node.defaultChild as CfnUserPoolClient;
    cfn.allowedOAuthFlowsUserPoolClient = true;
    cfn.allowedOAuthFlows = ['code'];
    cfn.allowedOAuthScopes = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE].map(
      (scope) => scope.scopeName,
    );
    cfn.callbackUrLs = [url];
    cfn.logoutUrLs = [url];
    cfn.supportedIdentityProviders = ['COGNITO'];
  }

  private acknowledge(bucket: Bucket): void {
    acknowledgeNag(bucket, 'S1', 'It holds the console build only, and CloudFront is its sole reader (OAC).');
    const distribution = this.distribution;
    acknowledgeNag(
      distribution,
      'CFR1',
      'The console serves customers anywhere; the API authorizes every call.',
    );
    acknowledgeNag(
      distribution,
      'CFR2',
      "A web ACL is the deployer's choice; the API throttles each tenant on its own.",
    );
    acknowledgeNag(
      distribution,
      'CFR3',
      'The API logs every request it serves; the static files need no log.',
    );
    acknowledgeNag(
      distribution,
      'CFR4',
      'The default cloudfront.net certificate cannot set a minimum TLS version; a custom domain can.',
    );
    // CDK's BucketDeployment runs one function per stack, created beside this construct.
    const stack = Stack.of(this);
    const files = `<${stack.getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/*`;
    const assets = `arn:${nagText(stack.partition, 'AWS::Partition')}:s3:::cdk-hnb659fds-assets-${nagText(stack.account, 'AWS::AccountId')}-${nagText(stack.region, 'AWS::Region')}/*`;
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      acknowledgeNag(
        child,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's deployment function logs with the basic execution role.",
      );
      const grants = [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::${files}`,
        `Resource::${assets}`,
      ];
      for (const evidence of grants) {
        acknowledgeNag(
          child,
          `IAM5[${evidence}]`,
          "CDK's deployment function reads the build from the asset bucket and replaces the console's files.",
        );
      }
      acknowledgeNag(child, 'L1', "CDK's deployment function runs the runtime CDK pins for it.");
      acknowledgeNag(
        child,
        'IAM5[Resource::*]',
        "CloudFront's CreateInvalidation names no distribution ARN in CDK's grant.",
      );
    }
  }
}
