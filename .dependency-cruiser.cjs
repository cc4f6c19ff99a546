/**
 * The layers of `lambdas/`, as docs/architecture.md draws them: functions → composition →
 * capabilities → ports and domain → core and schemas; adapters implement ports. Each rule names
 * an import that runs against them. `npm run lint:layers` checks them, and so does the unit tier.
 */
const CAPABILITIES =
  '^lambdas/(authorizer|aws-env|credentials|health|integrations|onboarding|openapi|publisher|role-test|router|schedule|shares|sync|workspaces)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-the-floor',
      comment: 'core/ holds what every layer uses; it imports nothing else of lambdas/.',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/core/' },
    },
    {
      name: 'domain-is-the-kernel',
      comment:
        'domain/ holds the shared types and rules; beside itself it uses only core/ and the shared ports (a rule may take a port).',
      severity: 'error',
      from: { path: '^lambdas/domain/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/(domain|ports|core)/' },
    },
    {
      name: 'shared-ports-are-interfaces',
      comment: 'ports/ declares what several capabilities use from outside; it knows only the kernel.',
      severity: 'error',
      from: { path: '^lambdas/ports/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/(domain|ports|core)/' },
    },
    {
      name: 'capabilities-build-no-adapters',
      comment: 'A capability talks to the outside through its ports; composition/ wires adapters in.',
      severity: 'error',
      from: { path: CAPABILITIES },
      to: { path: '^lambdas/(adapters|composition|functions)/' },
    },
    {
      name: 'capabilities-stand-alone',
      comment: 'A capability uses no other capability: what two share belongs in domain/ or ports/.',
      severity: 'error',
      from: { path: `${CAPABILITIES.slice(0, -1)}` },
      to: { path: CAPABILITIES, pathNot: '^lambdas/$1/' },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'An adapter implements a port; it knows no use case, wiring or entry point.',
      severity: 'error',
      from: { path: '^lambdas/adapters/' },
      to: {
        path: `^lambdas/(composition|functions)/|${CAPABILITIES}`,
        pathNot: `${CAPABILITIES}ports\\.ts$`,
      },
    },
    {
      name: 'functions-wire-through-composition',
      comment: 'A function takes its services from composition/, the only place that builds adapters.',
      severity: 'error',
      from: { path: '^lambdas/functions/' },
      to: { path: '^lambdas/adapters/' },
    },
    {
      name: 'composition-below-functions',
      comment: 'composition/ holds the factories the functions share; it never reaches up to them.',
      severity: 'error',
      from: { path: '^lambdas/composition/' },
      to: { path: '^lambdas/functions/' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other cannot be read, tested or bundled apart.',
      severity: 'error',
      from: { path: '^(lambdas|lib|bench|local|schemas)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/|\\.d\\.ts$' },
  },
};
