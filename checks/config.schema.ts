import path from 'node:path';
import validate from '../src/generated/config-validator.js';
import { defineCheck, fail, pass } from '../src/pipeline/check.js';
import { describeSchemaErrors, type SchemaProblem } from '../src/config/schema-errors.js';

function suggest(problem: SchemaProblem): string {
  const name = problem.path.split('.').pop();
  return problem.suggests === 'key'
    ? `Rename the key ${name} to ${problem.suggestion}`
    : `Set ${problem.path} to ${problem.suggestion}`;
}

export default defineCheck({
  id: 'config.schema',
  title: 'Config matches the schema',
  needs: ['config.parse'],
  run(_ctx, deps) {
    const parsed = deps['config.parse'];
    if (validate(parsed.data)) return pass(parsed);
    const problems = describeSchemaErrors(validate.errors ?? [], parsed);
    const file = path.basename(parsed.file);
    const at = (problem: (typeof problems)[number]): string =>
      problem.line !== undefined ? `${file}:${problem.line}:${problem.column} ` : '';
    const sentence = (text: string): string => (/[.?!]$/.test(text) ? text : `${text}.`);
    const message =
      problems.length === 1
        ? sentence(`${at(problems[0]!)}${problems[0]!.message}`)
        : sentence(`${problems.length} problems in ${file}: ${problems.map((problem, index) => `(${index + 1}) ${at(problem)}${problem.message}`).join('; ')}`);
    const suggestions = problems.filter((problem) => problem.suggestion);
    const hint = suggestions.length > 0
      ? `${suggestions.map(suggest).join('; ')}. \`golive schema config\` prints every allowed key and value.`
      : 'Fix the keys named above; `golive schema config` prints every allowed key and value, and the schema gives completion in VS Code (see README).';
    const first = problems[0];
    return fail({
      message,
      hint,
      evidence: {
        errors: problems,
        ...(first?.line !== undefined && { location: { path: first.path, line: first.line, column: first.column } }),
      },
    });
  },
});
