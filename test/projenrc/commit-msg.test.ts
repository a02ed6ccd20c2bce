import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Versions and the changelog are computed from Conventional Commits: the local hook and the
// PR-title lint must accept the same types, and the hook must refuse anything else.
const ROOT = path.join(__dirname, '..', '..');
const HOOK = path.join(ROOT, '.githooks', 'commit-msg');

function runHook(message: string): number | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-msg-'));
  try {
    const file = path.join(dir, 'COMMIT_EDITMSG');
    fs.writeFileSync(file, message);
    return spawnSync('bash', [HOOK, file], { encoding: 'utf-8' }).status;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the commit-msg hook', () => {
  it.each([
    'feat: a render queue',
    'fix(api): answer 401 for a deeply nested webhook body',
    'feat!: IRemotionSite replaces the flat site props',
    'docs: a late start cannot be recovered with records off\n\nbody text',
    'Merge branch \'issue-18\'',
  ])('accepts %j', (message) => {
    expect(runHook(message)).toBe(0);
  });

  it.each([
    'Tests: one helper each for the nag findings',
    'feature: not a type',
    'fix:no space',
    'fix: ',
    '',
  ])('refuses %j', (message) => {
    expect(runHook(message)).toBe(1);
  });

  it('accepts exactly the types that the pull-request title lint accepts', () => {
    const hookTypes = /\^\(([a-z|]+)\)/.exec(fs.readFileSync(HOOK, 'utf-8'))![1].split('|').sort();
    const workflow = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'pull-request-lint.yml'), 'utf-8');
    const lintTypes = /types: \|-\n((?: {12}\S+\n)+)/.exec(workflow)![1].trim().split(/\s+/).sort();
    expect(hookTypes).toEqual(lintTypes);
  });
});
