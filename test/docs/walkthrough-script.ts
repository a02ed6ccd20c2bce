import * as fs from 'node:fs';

// Turns docs/walkthrough.md into the bash script that scripts/walkthrough.sh runs, so that the
// test follows the page verbatim and cannot drift from it. In the page's fences:
//   ```bash              a command block, run in order in one shell (so `cd` carries over)
//   ```bash aws          a command block that needs an AWS account: shown, never run
//   ```<lang> file=PATH  a file, written to PATH (relative to the empty folder the page starts in)
// Any other fence (the folder tree) is prose.

/** The one substitution: the npm release is replaced by the package tarball under test. */
export const PACKAGE_INSTALL = /^npm i @org\/remotion-constructs /m;

export interface WalkthroughSteps {
  /** The bash script, in the page's order. */
  readonly script: string;
  /** The paths of the files the page shows. */
  readonly files: string[];
  /** How many command blocks run, and how many need AWS and do not. */
  readonly commandBlocks: number;
  readonly awsBlocks: number;
}

export function walkthroughSteps(markdown: string, tarball: string): WalkthroughSteps {
  const fence = /^```(\S*)(?: +(.*))?\n([\s\S]*?)^```$/gm;
  const parts: string[] = [];
  const files: string[] = [];
  let commandBlocks = 0;
  let awsBlocks = 0;
  let substitutions = 0;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    const [, language, info = '', body] = m;
    const file = /^file=(\S+)$/.exec(info.trim());
    if (file) {
      // A quoted heredoc delimiter: the file is written byte for byte, nothing expanded.
      if (body.includes('\nWALKTHROUGH_EOF\n')) throw new Error(`${file[1]} holds the heredoc delimiter`);
      files.push(file[1]);
      parts.push(`mkdir -p "$WALKTHROUGH_ROOT/$(dirname '${file[1]}')"\n`
        + `cat > "$WALKTHROUGH_ROOT/${file[1]}" <<'WALKTHROUGH_EOF'\n${body}WALKTHROUGH_EOF\n`);
    } else if (language === 'bash' && info.trim() === 'aws') {
      awsBlocks++;
    } else if (language === 'bash') {
      if (info.trim() !== '') throw new Error(`unknown bash fence info "${info}"`);
      commandBlocks++;
      const replaced = body.replace(PACKAGE_INSTALL, () => {
        substitutions++;
        return `npm i '${tarball}' `;
      });
      parts.push(`echo '+ walkthrough block ${commandBlocks}'\n${replaced}`);
    }
  }
  if (substitutions !== 1) {
    throw new Error(`expected exactly one "npm i @org/remotion-constructs ..." to replace with the tarball, found ${substitutions}`);
  }
  return { script: parts.join('\n'), files, commandBlocks, awsBlocks };
}

// scripts/walkthrough.sh: `ts-node test/docs/walkthrough-script.ts <page.md> <tarball>` prints the script.
if (require.main === module) {
  const [page, tarball] = process.argv.slice(2);
  process.stdout.write(walkthroughSteps(fs.readFileSync(page, 'utf-8'), tarball).script);
}
