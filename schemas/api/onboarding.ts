import * as z from 'zod';
import { accountIdSchema, partitionSchema, roleNameSchema, scopeQuerySchema, scopeSchema } from './common';

export const TEMPLATE_NAMES = [
  'management-account-role',
  'member-account-role',
  'organization-events-forwarder',
  'single-account-role',
] as const;
export const templateNameSchema = z.enum(TEMPLATE_NAMES);
export type TemplateName = z.infer<typeof templateNameSchema>;

/** GET /v1/aws/onboarding and POST /v1/aws/onboarding/external-id. */
export const onboardingSchema = z.object({
  /** Whose External ID this is: roles deployed with it can be registered in this scope only. */
  scope: scopeSchema,
  externalId: z.string(),
  /** Increases with every rotation. */
  externalIdVersion: z.number().int().min(1),
  trustedAccountId: accountIdSchema,
  /**
   * The platform's roles that assume customer roles. The templates and quick-create links fill
   * them into `PlatformPrincipalArns`, so a role's trust admits only them (with the External ID).
   * Empty when the deployment publishes none.
   */
  platformPrincipalArns: z.array(z.string()),
  partition: partitionSchema,
  templates: z.array(
    z.object({
      name: templateNameSchema,
      description: z.string(),
      /** This API's rendering, with your values as parameter defaults. */
      url: z.string(),
      /** The published template that quick-create links and StackSets use. */
      sourceUrl: z.string(),
    }),
  ),
  quickCreateLinks: z.array(z.object({ template: templateNameSchema, url: z.string() })),
});
export type Onboarding = z.infer<typeof onboardingSchema>;

/** `?scope=` of GET /v1/aws/onboarding and POST /v1/aws/onboarding/external-id. */
export const onboardingQuerySchema = z.strictObject({ scope: scopeQuerySchema });

export const templatePathSchema = z.strictObject({ name: templateNameSchema });

/** Query parameters that fill a template's defaults. The External ID is never one of them. */
export const templateQuerySchema = z.strictObject({
  scope: scopeQuerySchema,
  roleName: roleNameSchema.optional(),
  permissionLevel: z.enum(['ReadOnly', 'ViewOnly', 'Discovery-only', 'PowerUser']).optional(),
});
export type TemplateQuery = z.infer<typeof templateQuerySchema>;

const requiredActionSchema = z.object({
  action: z.string(),
  /** What the platform does with it. */
  reason: z.string(),
  /** `template`: the template's own policy; otherwise the AWS managed policy it attaches. */
  grantedBy: z.enum(['template', 'ReadOnlyAccess', 'PowerUserAccess']),
  /** Granted on the role itself only, not on every resource. */
  onRoleItself: z.boolean(),
});

/** GET /v1/aws/permissions: the actions each role needs, and each template's current version. */
export const permissionsManifestSchema = z.object({
  roles: z.array(
    z.object({
      kind: z.enum(['discovery', 'member-read', 'member-full']),
      description: z.string(),
      templates: z.array(templateNameSchema),
      actions: z.array(requiredActionSchema),
    }),
  ),
  // Each template named (a record keyed by an enum would describe no properties).
  templateVersions: z.object({
    'management-account-role': z.number().int(),
    'member-account-role': z.number().int(),
    'organization-events-forwarder': z.number().int(),
    'single-account-role': z.number().int(),
  } satisfies Record<TemplateName, z.ZodNumber>),
  /** The tag each role template stamps with its version. */
  templateVersionTag: z.string(),
});
export type PermissionsManifest = z.infer<typeof permissionsManifestSchema>;
