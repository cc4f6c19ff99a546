// Runs before every test file: quiet logs, and the environment the handler modules validate
// at import (the same variables the stack sets on each function).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';
process.env.TRUSTED_ACCOUNT_ID ??= '123456789012';
process.env.PARTITION ??= 'aws';
process.env.AUTH_ISSUER ??= 'https://issuer.example.test';
process.env.AUTH_JWKS_URI ??= 'https://issuer.example.test/.well-known/jwks.json';
process.env.AUTH_AUDIENCE ??= 'aws-org-connections';
process.env.CLAIM_TENANT ??= 'tenant_id';
process.env.CLAIM_ORG_IDS ??= 'org_ids';
process.env.CLAIM_ROLES ??= 'roles';
process.env.CORS_ALLOWED_ORIGINS ??= '*';
// cdk-nag reads a property that aws-cdk-lib marks deprecated; the warning is not ours.
process.env.JSII_DEPRECATED ??= 'quiet';
