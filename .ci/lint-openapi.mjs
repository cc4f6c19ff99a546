// Lints the committed OpenAPI document with Redocly's recommended ruleset and fails on any
// problem, warnings included (the CLI itself exits 0 on warnings).
import { execFileSync } from 'node:child_process';

const output = execFileSync(
  'npx',
  ['redocly', 'lint', '--extends', 'recommended', '--format=json', 'schemas/generated/openapi.json'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
const { totals, problems } = JSON.parse(output);
for (const problem of problems) {
  console.error(
    `${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location?.[0]?.pointer})`,
  );
}
console.log(`openapi lint: ${totals.errors} errors, ${totals.warnings} warnings`);
if (problems.length > 0) process.exit(1);
