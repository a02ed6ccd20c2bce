import * as fs from 'node:fs';
import * as path from 'node:path';

interface Task {
  readonly steps?: ReadonlyArray<{ readonly exec?: string; readonly execArgs?: readonly string[] }>;
}

const tasks = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.projen', 'tasks.json'), 'utf8')) as { tasks: Record<string, Task> }).tasks;
const jestCommands = (name: string): string[] => (tasks[name]?.steps ?? []).map((step) => step.exec ?? step.execArgs?.join(' ') ?? '').filter((exec) => exec.startsWith('jest'));

describe('snapshots', () => {
  it('are never rewritten by the test task (which `npx projen build` and CI run), so a mismatch fails', () => {
    const [jest] = jestCommands('test');

    expect(jest).toBeDefined();
    expect(jest).not.toMatch(/--updateSnapshot|(^|\s)-u(\s|$)/);
    expect(jest).toMatch(/(^|\s)--ci(\s|$)/);
  });

  it('are updated on purpose with `npx projen test:update`', () => {
    expect(jestCommands('test:update')).toEqual([expect.stringMatching(/^jest --updateSnapshot /)]);
  });
});
